package io.spiffe4j.cli;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "id", description = "SPIFFE IDs.", subcommands = IdCommand.Parse.class,
    mixinStandardHelpOptions = true)
final class IdCommand {

  @Command(name = "parse", description = "Parse SPIFFE IDs strictly; one line per input.",
      mixinStandardHelpOptions = true)
  static final class Parse implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object per input.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "SPIFFE IDs to parse.")
    List<String> ids;

    @Override
    public Integer call() {
      List<Verdict> verdicts = new ArrayList<>();
      for (String input : ids) {
        verdicts.add(parse(input));
      }
      return VerdictPrinter.print(verdicts, json, spec.commandLine().getOut());
    }

    private static Verdict parse(String input) {
      try {
        SpiffeId id = SpiffeId.parse(input);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("spiffe_id", id.toString());
        fields.put("trust_domain", id.trustDomain().name());
        fields.put("path", id.path());
        return Verdict.valid(input, fields);
      } catch (InvalidSpiffeIdException e) {
        return Verdict.invalid(input, e);
      }
    }
  }
}
