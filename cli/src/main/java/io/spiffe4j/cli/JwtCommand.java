package io.spiffe4j.cli;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "jwt", description = "JWT-SVIDs.", mixinStandardHelpOptions = true,
    subcommands = {JwtCommand.Validate.class, JwtCommand.Inspect.class})
final class JwtCommand {

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Validate JWT-SVIDs against a bundle; one line per token.",
          "With --via-agent, the Workload API validates them instead (ValidateJWTSVID), with the bundles and clock"
              + " of the agent."})
  static final class Validate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bundle", paramLabel = "FILE",
        description = "Bundle: PEM, JWKS or SPIFFE bundle JSON. Required unless --via-agent.")
    Path bundle;

    @Option(names = "--via-agent",
        description = "Have the Workload API validate the tokens (ValidateJWTSVID) instead of --bundle.")
    boolean viaAgent;

    @Mixin
    WorkloadApiOptions workloadApi;

    @Option(names = "--audience", required = true, paramLabel = "AUD",
        description = "An audience this validator identifies as; the token must name one of them."
            + " Exactly one with --via-agent.")
    List<String> audiences;

    @Option(names = "--trust-domain", paramLabel = "TD",
        description = "Trust domain of the bundle (default: that of each token's subject).")
    String trustDomain;

    @Option(names = "--json", description = "Print one JSON object per token.")
    boolean json;

    @Mixin
    TimeOptions time;

    @Parameters(arity = "1..*", paramLabel = "TOKEN", description = "Compact JWT-SVIDs.")
    List<String> tokens;

    @Override
    public Integer call() {
      List<Verdict> verdicts = viaAgent ? validateViaAgent() : validateLocally();
      return VerdictPrinter.print(verdicts, json, spec.commandLine().getOut());
    }

    private List<Verdict> validateLocally() {
      if (bundle == null) {
        throw new ParameterException(spec.commandLine(), "--bundle FILE or --via-agent is required");
      }
      if (workloadApi.isSet()) {
        throw new ParameterException(spec.commandLine(), "--socket applies only with --via-agent");
      }
      TrustDomain boundTo = CliArguments.trustDomain(spec, trustDomain);
      JwtSvidValidator validator = CliArguments.orUsageError(spec, () -> JwtSvidValidator.builder()
          .bundleSource(BundleFile.read(bundle, boundTo))
          .expectAudiences(audiences)
          .clock(time.clock())
          .build());
      List<Verdict> verdicts = new ArrayList<>();
      for (String token : tokens) {
        try {
          verdicts.add(valid(token, validator.validate(token)));
        } catch (SpiffeException e) {
          verdicts.add(Verdict.invalid(token, e).shownAs(abbreviate(token)));
        }
      }
      return verdicts;
    }

    /**
     * Asks the agent about each token. Its refusal (INVALID_ARGUMENT) is that token's verdict; any other Workload API
     * failure ends the command (exit 4), since it says nothing about the token.
     */
    private List<Verdict> validateViaAgent() {
      String conflicting = bundle != null ? "--bundle" : trustDomain != null ? "--trust-domain"
          : time.nowEpochSeconds != null ? "--now" : null;
      if (conflicting != null) {
        throw new ParameterException(spec.commandLine(), conflicting + " does not apply with --via-agent:"
            + " the agent validates with its own bundles and clock");
      }
      if (audiences.size() != 1) {
        throw new ParameterException(spec.commandLine(),
            "--via-agent takes exactly one --audience (ValidateJWTSVID checks one), got " + audiences.size());
      }
      String audience = audiences.get(0);
      if (audience.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--audience must not be empty");
      }
      List<Verdict> verdicts = new ArrayList<>();
      try (WorkloadApiClient client = workloadApi.client(spec)) {
        for (String token : tokens) {
          if (token.isEmpty()) {
            verdicts.add(Verdict.invalid(token, "empty token"));
            continue;
          }
          try {
            verdicts.add(valid(token, client.validateJwtSvid(token, audience)));
          } catch (WorkloadApiException e) {
            if (e.kind() != WorkloadApiException.Kind.INVALID_ARGUMENT) {
              throw e;
            }
            // The rule (WEP-11) is about the endpoint's error code, not about the token: the reason says it all.
            verdicts.add(Verdict.invalid(token, e.reason()).shownAs(abbreviate(token)));
          }
        }
      }
      return verdicts;
    }

    private static Verdict valid(String token, JwtSvid svid) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("spiffe_id", svid.id().toString());
      return Verdict.valid(token, fields).shownAs(abbreviate(token));
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Show a JWT-SVID's header and claims WITHOUT verifying its signature.")
  static final class Inspect implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TOKEN", description = "Compact JWT-SVIDs.")
    List<String> tokens;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      boolean allParsed = true;
      for (String token : tokens) {
        out.println("token " + abbreviate(token) + " (signature NOT verified)");
        try {
          JwtSvid svid = JwtSvid.parseInsecure(token);
          out.println("  alg:       " + svid.algorithm());
          out.println("  kid:       " + svid.keyId());
          out.println("  subject:   " + svid.id());
          out.println("  audience:  " + String.join(", ", svid.audience()));
          out.println("  expires:   " + svid.expiry());
          svid.issuedAt().ifPresent(iat -> out.println("  issued at: " + iat));
          svid.notBefore().ifPresent(nbf -> out.println("  not before: " + nbf));
          out.println("  claims:    " + svid.claims().keySet());
        } catch (SpiffeException e) {
          allParsed = false;
          out.println("  malformed: " + e.getMessage());
        }
      }
      out.flush();
      return allParsed ? 0 : Main.EXIT_INVALID;
    }
  }

  /** Human output never repeats a whole bearer token. */
  static String abbreviate(String token) {
    return token.length() <= 24 ? token : token.substring(0, 12) + "..." + token.substring(token.length() - 6);
  }
}
