package io.spiffe4j.interop.probe;

import static io.spiffe4j.interop.probe.JavaSpiffeProbe.quote;

import io.spiffe.bundle.jwtbundle.JwtBundle;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.svid.x509svid.X509SvidValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Judges SVIDs from files with java-spiffe's own parsers and validators, as a java-spiffe user holding those files
 * would, and prints one JSON object on stdout: for each case its name, whether java-spiffe accepted it, and either the
 * SPIFFE ID it accepted or the stage that refused it and why. Nothing secret is printed (no key, no token).
 *
 * <p>Usage: {@code JavaSpiffeSvidProbe <cases file>}. Each line of the cases file is one case, fields separated by
 * tabs:
 * <ul>
 *   <li>{@code x509 <name> <trust domain> <chain PEM> <PKCS#8 key PEM> <bundle PEM>}: {@code X509Svid.load} (stage
 *       {@code parse}: the leaf's SPIFFE ID and key usage, the key matching the leaf), {@code X509Bundle.load} (stage
 *       {@code bundle}), then {@code X509SvidValidator.verifyChain} of the loaded chain against that bundle (stage
 *       {@code verify}: the JDK's PKIX path validation to one of the bundle's authorities).
 *   <li>{@code jwt <name> <trust domain> <token file> <JWKS file> <audience>}: {@code JwtBundle.load} (stage
 *       {@code bundle}), then {@code JwtSvid.parseAndValidate(token, bundle, {audience})} (stage {@code verify}:
 *       header, signature by the key of its {@code kid}, expiry, audience).
 * </ul>
 * Exit code 0 once every case is judged (accepted or not), 1 if the cases file cannot be read or a line is malformed.
 */
public final class JavaSpiffeSvidProbe {
    private JavaSpiffeSvidProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: JavaSpiffeSvidProbe <cases file>");
            System.exit(2);
        }
        int status = 1;
        try {
            List<String> results = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
                if (!line.isEmpty()) {
                    results.add(judge(line.split("\t", -1)));
                }
            }
            System.out.println("{" + String.join(",", results) + "}");
            status = 0;
        } catch (Exception | LinkageError e) {
            e.printStackTrace();
        }
        System.out.flush();
        System.exit(status);
    }

    private static String judge(String[] fields) {
        if (fields.length != 6 || !(fields[0].equals("x509") || fields[0].equals("jwt"))) {
            throw new IllegalArgumentException("a case is 6 tab-separated fields, x509 or jwt first; got "
                    + fields.length + " fields starting with " + fields[0]);
        }
        String name = fields[1];
        TrustDomain trustDomain = TrustDomain.parse(fields[2]);
        String stage = "parse";
        try {
            String id;
            if (fields[0].equals("x509")) {
                X509Svid svid = X509Svid.load(Path.of(fields[3]), Path.of(fields[4]));
                stage = "bundle";
                X509Bundle bundle = X509Bundle.load(trustDomain, Path.of(fields[5]));
                stage = "verify";
                X509SvidValidator.verifyChain(svid.getChain(), bundle);
                id = svid.getSpiffeId().toString();
            } else {
                String token = Files.readString(Path.of(fields[3]), StandardCharsets.US_ASCII).trim();
                stage = "bundle";
                JwtBundle bundle = JwtBundle.load(trustDomain, Path.of(fields[4]));
                stage = "verify";
                id = JwtSvid.parseAndValidate(token, bundle, Set.of(fields[5])).getSpiffeId().toString();
            }
            return quote(name) + ":{\"accepted\":true,\"id\":" + quote(id) + "}";
        } catch (Exception e) {
            // java-spiffe's own exceptions (X509SvidException, BundleNotFoundException, ...) are checked ones.
            return quote(name) + ":{\"accepted\":false,\"stage\":" + quote(stage)
                    + ",\"error\":" + quote(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}";
        }
    }
}
