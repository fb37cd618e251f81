package io.spiffe4j.cli;

import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.TrustDomain;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bundle", description = "Trust bundles.", mixinStandardHelpOptions = true,
    subcommands = {BundleCommand.Inspect.class, BundleCommand.Convert.class})
final class BundleCommand {
  /** Bundles name no trust domain (BUN-01); without --trust-domain one is needed only to hold the keys. */
  private static final TrustDomain UNNAMED = TrustDomain.parse("unnamed");

  static SpiffeBundle read(CommandSpec spec, Path file, String trustDomain) {
    TrustDomain td = CliArguments.trustDomain(spec, trustDomain);
    TrustDomain bound = td != null ? td : UNNAMED;
    return BundleFile.read(file, bound).bundleFor(bound, "");
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Show a bundle's X.509 and JWT authorities (PEM, DER, JWKS or SPIFFE bundle).")
  static final class Inspect implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--trust-domain", paramLabel = "TD", description = "Trust domain to show the bundle as.")
    String trustDomain;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      SpiffeBundle bundle = read(spec, file, trustDomain);
      PrintWriter out = spec.commandLine().getOut();
      out.println("bundle " + file + (trustDomain != null ? " of trust domain " + trustDomain : ""));
      bundle.sequenceNumber().ifPresent(seq -> out.println("  sequence:     " + seq));
      bundle.refreshHint().ifPresent(hint -> out.println("  refresh hint: " + hint.getSeconds() + " s"));
      printAuthorities(out, bundle);
      if (bundle.isEmpty()) {
        out.println("  (no usable keys: every SVID of this trust domain is untrusted, BUN-06)");
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "convert", mixinStandardHelpOptions = true,
      description = "Write the bundle to stdout as PEM (X.509 authorities) or as a SPIFFE bundle (JSON).")
  static final class Convert implements Callable<Integer> {
    enum Format { pem, spiffe }

    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "pem or spiffe.")
    Format to;

    @Option(names = "--trust-domain", paramLabel = "TD", description = "Trust domain of the bundle.")
    String trustDomain;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      SpiffeBundle bundle = read(spec, file, trustDomain);
      byte[] converted = to == Format.pem ? bundle.x509Bundle().marshalPem() : bundle.marshal();
      if (to == Format.pem && !bundle.jwtAuthorities().isEmpty()) {
        spec.commandLine().getErr().println("spiffe4j: note: PEM holds only the "
            + bundle.x509Authorities().size() + " X.509 authorities; " + bundle.jwtAuthorities().size()
            + " JWT authorities were left out");
      }
      PrintWriter out = spec.commandLine().getOut();
      out.print(new String(converted, StandardCharsets.UTF_8));
      if (to == Format.spiffe) {
        out.println();
      }
      out.flush();
      return 0;
    }
  }

  /** The X.509 and JWT authorities of a bundle, one indented line each, after a count line of each kind. */
  static void printAuthorities(PrintWriter out, SpiffeBundle bundle) {
    out.println("  X.509 authorities: " + bundle.x509Authorities().size());
    for (X509Certificate ca : bundle.x509Authorities()) {
      out.println("    - " + ca.getSubjectX500Principal().getName() + ", serial "
          + ca.getSerialNumber().toString(16) + ", " + describe(ca.getPublicKey())
          + ", valid " + ca.getNotBefore().toInstant() + " .. " + ca.getNotAfter().toInstant());
    }
    out.println("  JWT authorities: " + bundle.jwtAuthorities().size());
    for (Map.Entry<String, PublicKey> key : bundle.jwtAuthorities().entrySet()) {
      out.println("    - kid " + key.getKey() + ", " + describe(key.getValue()));
    }
  }

  static String describe(PublicKey key) {
    if (key instanceof ECKey) {
      return "EC " + ((ECKey) key).getParams().getCurve().getField().getFieldSize() + "-bit";
    }
    if (key instanceof RSAKey) {
      return "RSA " + ((RSAKey) key).getModulus().bitLength() + "-bit";
    }
    return key.getAlgorithm();
  }
}
