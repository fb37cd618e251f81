package io.spiffe4j.cli;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "x509", description = "X509-SVIDs.", mixinStandardHelpOptions = true,
    subcommands = {X509Command.Verify.class, X509Command.Inspect.class})
final class X509Command {

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify PEM certificate chains (leaf first) as X509-SVIDs; one line per file.")
  static final class Verify implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bundle", required = true, paramLabel = "FILE",
        description = "Bundle: PEM, JWKS or SPIFFE bundle JSON.")
    Path bundle;

    @Option(names = "--trust-domain", paramLabel = "TD",
        description = "Trust domain of the bundle (default: that of each leaf's SPIFFE ID).")
    String trustDomain;

    @Option(names = "--json", description = "Print one JSON object per chain.")
    boolean json;

    @Mixin
    TimeOptions time;

    @Parameters(arity = "1..*", paramLabel = "CHAIN.pem", description = "PEM chains, leaf first.")
    List<Path> chains;

    @Override
    public Integer call() {
      TrustDomain boundTo = CliArguments.trustDomain(spec, trustDomain);
      X509SvidVerifier verifier = X509SvidVerifier.of(BundleFile.read(bundle, boundTo), time.clock());
      List<Verdict> verdicts = new ArrayList<>();
      for (Path chain : chains) {
        byte[] pem = UnreadableInputException.read(chain);
        try {
          VerifiedX509Svid verified = verifier.verify(X509Svid.parseCertificates(pem));
          verdicts.add(Verdict.valid(chain.toString(), Map.of("spiffe_id", verified.id().toString())));
        } catch (SpiffeException e) {
          verdicts.add(Verdict.invalid(chain.toString(), e));
        }
      }
      return VerdictPrinter.print(verdicts, json, spec.commandLine().getOut());
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Show the certificates of PEM or DER chains WITHOUT verifying them.")
  static final class Inspect implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CHAIN", description = "PEM or DER certificate files.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      boolean allParsed = true;
      for (Path file : files) {
        byte[] content = UnreadableInputException.read(file);
        out.println(file + " (NOT verified)");
        try {
          List<X509Certificate> chain = X509Svid.parseCertificates(content);
          for (int i = 0; i < chain.size(); i++) {
            describe(out, i, chain.get(i));
          }
        } catch (SpiffeException e) {
          allParsed = false;
          out.println("  malformed: " + e.getMessage());
        }
      }
      out.flush();
      return allParsed ? 0 : Main.EXIT_INVALID;
    }

    private static void describe(PrintWriter out, int index, X509Certificate certificate) {
      int pathLength = certificate.getBasicConstraints();
      out.println("  [" + index + "] " + (pathLength >= 0 ? "CA" : "leaf") + "  "
          + certificate.getSubjectX500Principal().getName());
      out.println("      issuer:   " + certificate.getIssuerX500Principal().getName());
      out.println("      serial:   " + certificate.getSerialNumber().toString(16));
      out.println("      valid:    " + certificate.getNotBefore().toInstant() + " .. "
          + certificate.getNotAfter().toInstant());
      out.println("      key:      " + BundleCommand.describe(certificate.getPublicKey())
          + ", signed " + certificate.getSigAlgName());
      out.println("      URI SANs: " + uriSans(certificate));
      out.println("      key usage: " + keyUsage(certificate.getKeyUsage()));
    }

    private static List<String> uriSans(X509Certificate certificate) {
      List<String> uris = new ArrayList<>();
      try {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names != null) {
          for (List<?> name : names) {
            if (Integer.valueOf(6).equals(name.get(0))) {
              uris.add(String.valueOf(name.get(1)));
            }
          }
        }
      } catch (CertificateParsingException e) {
        uris.add("(unparsable SAN extension)");
      }
      return uris;
    }

    private static String keyUsage(boolean[] bits) {
      if (bits == null) {
        return "(none)";
      }
      String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
          "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
      List<String> set = new ArrayList<>();
      for (int i = 0; i < bits.length && i < names.length; i++) {
        if (bits[i]) {
          set.add(names[i]);
        }
      }
      return String.join(", ", set);
    }
  }
}
