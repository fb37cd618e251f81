package io.spiffe4j.cli;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Fetch this process's identities and bundles from the Workload API (a SPIRE agent, for example).",
    subcommands = {FetchCommand.X509.class, FetchCommand.Jwt.class, FetchCommand.Bundles.class})
final class FetchCommand {

  @Command(name = "x509", mixinStandardHelpOptions = true,
      description = {"Fetch the X509-SVIDs and X.509 bundles; print a summary (never the private key).",
          "With --write DIR, also write them as spire-agent api fetch x509 -write does: svid.N.pem (chain),"
              + " svid.N.key (PKCS#8, mode 0600), bundle.N.pem, federated_bundle.N.M.pem."})
  static final class X509 implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadApiOptions workloadApi;

    @Option(names = "--write", paramLabel = "DIR", description = "Write the SVIDs, keys and bundles into DIR.")
    Path write;

    @Override
    public Integer call() {
      X509Context context;
      try (WorkloadApiClient client = workloadApi.client(spec)) {
        context = client.fetchX509Context();
      }
      PrintWriter out = spec.commandLine().getOut();
      printSummary(out, context);
      if (write != null) {
        for (Path file : SvidFiles.write(context, write)) {
          out.println("wrote " + file);
        }
      }
      out.flush();
      return 0;
    }

    private static void printSummary(PrintWriter out, X509Context context) {
      Instant now = Instant.now();
      for (X509Svid svid : context.svids()) {
        out.println(svid.id());
        out.println("  hint:         " + (svid.hint().isEmpty() ? "(none)" : svid.hint()));
        out.println("  serial:       " + svid.leaf().getSerialNumber().toString(16));
        long left = Duration.between(now, svid.expiresAt()).toSeconds();
        out.println("  expires:      " + svid.expiresAt() + " (in " + left + " s)");
        out.println("  chain length: " + svid.chain().size());
      }
      out.println("bundles: " + context.bundles().bundles().stream()
          .sorted(Comparator.comparing(b -> b.trustDomain().name()))
          .map(b -> b.trustDomain().name() + " (" + b.x509Authorities().size() + " X.509 authorities)")
          .collect(Collectors.joining(", ")));
    }
  }

  @Command(name = "jwt", mixinStandardHelpOptions = true,
      description = {"Fetch a JWT-SVID for an audience and print the token on stdout (it is a bearer credential:"
          + " keep it out of logs).", "Its subject and expiry go to stderr, or into the object --json prints."})
  static final class Jwt implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadApiOptions workloadApi;

    @Option(names = "--audience", required = true, paramLabel = "AUD",
        description = "An audience the token is for; repeat for more.")
    List<String> audiences;

    @Option(names = "--spiffe-id", paramLabel = "ID",
        description = "Which of this process's identities (default: its default identity).")
    String spiffeId;

    @Option(names = "--json", description = "Print {\"spiffe_id\",\"audience\",\"expiry\",\"token\"} instead.")
    boolean json;

    @Override
    public Integer call() {
      Optional<SpiffeId> subject = subject();
      String first = audiences.get(0);
      String[] more = audiences.subList(1, audiences.size()).toArray(new String[0]);
      JwtSvid svid;
      try (WorkloadApiClient client = workloadApi.client(spec)) {
        svid = CliArguments.orUsageError(spec, () -> subject.isPresent()
            ? client.fetchJwtSvid(subject.get(), first, more)
            : client.fetchJwtSvid(first, more));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("spiffe_id", svid.id().toString());
        fields.put("audience", svid.audience());
        fields.put("expiry", svid.expiry().toString());
        fields.put("token", svid.token());
        out.println(VerdictPrinter.jsonLine(fields));
      } else {
        out.println(svid.token());
        spec.commandLine().getErr().println("spiffe4j: JWT-SVID of " + svid.id() + " for "
            + String.join(", ", svid.audience()) + ", expires " + svid.expiry());
      }
      out.flush();
      return 0;
    }

    private Optional<SpiffeId> subject() {
      try {
        return Optional.ofNullable(spiffeId).map(SpiffeId::parse);
      } catch (InvalidSpiffeIdException e) {
        throw new ParameterException(spec.commandLine(), "--spiffe-id: " + e.getMessage());
      }
    }
  }

  @Command(name = "bundles", mixinStandardHelpOptions = true,
      description = "Fetch the X.509 and JWT bundles; print each trust domain's authorities.")
  static final class Bundles implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    WorkloadApiOptions workloadApi;

    @Override
    public Integer call() {
      BundleSet x509;
      BundleSet jwt;
      try (WorkloadApiClient client = workloadApi.client(spec)) {
        x509 = client.fetchX509Bundles();
        jwt = client.fetchJwtBundles();
      }
      PrintWriter out = spec.commandLine().getOut();
      for (SpiffeBundle bundle : merge(x509, jwt)) {
        out.println("trust domain " + bundle.trustDomain().name());
        BundleCommand.printAuthorities(out, bundle);
      }
      out.flush();
      return 0;
    }

    /** One bundle per trust domain with its X.509 and JWT authorities, in trust domain name order. */
    private static List<SpiffeBundle> merge(BundleSet x509, BundleSet jwt) {
      Set<TrustDomain> trustDomains = new TreeSet<>(Comparator.comparing(TrustDomain::name));
      trustDomains.addAll(x509.trustDomains());
      trustDomains.addAll(jwt.trustDomains());
      List<SpiffeBundle> merged = new ArrayList<>();
      for (TrustDomain td : trustDomains) {
        SpiffeBundle.Builder bundle = SpiffeBundle.builder(td);
        x509.find(td).ifPresent(b -> bundle.x509Authorities(b.x509Authorities()));
        jwt.find(td).ifPresent(b -> bundle.jwtAuthorities(b.jwtAuthorities()));
        merged.add(bundle.build());
      }
      return merged;
    }
  }
}
