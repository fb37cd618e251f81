package io.spiffe4j.interop.probe;

import io.spiffe.bundle.jwtbundle.JwtBundle;
import io.spiffe.bundle.jwtbundle.JwtBundleSet;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.bundle.x509bundle.X509BundleSet;
import io.spiffe.spiffeid.TrustDomain;
import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.svid.x509svid.X509Svid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.WorkloadApiClient;
import io.spiffe.workloadapi.X509Context;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fetches everything java-spiffe's Workload API client offers from one agent and prints it as one JSON object on
 * stdout, so a test on another class path can compare it with what our client fetched. Certificates and keys are
 * printed as base64 DER (SPKI for keys); nothing secret is printed (no private key).
 *
 * <p>Usage: {@code JavaSpiffeProbe <socket address> <audience> [<JWT-SVID to validate>]}. The optional token is
 * validated locally by java-spiffe against the JWT bundles it fetched, and the resulting SPIFFE ID printed. Exit code
 * 0 on success, 1 with the exception on stderr otherwise.
 */
public final class JavaSpiffeProbe {
    private JavaSpiffeProbe() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: JavaSpiffeProbe <socket address> <audience> [<JWT-SVID to validate>]");
            System.exit(2);
        }
        int status = 1;
        try {
            System.out.println(probe(args[0], args[1], args.length == 3 ? args[2] : null));
            status = 0;
        } catch (Exception | LinkageError e) {
            e.printStackTrace();
        }
        System.out.flush();
        // java-spiffe's gRPC event loop threads are not daemons; they must not keep the child JVM alive.
        System.exit(status);
    }

    private static String probe(String socket, String audience, String tokenToValidate) throws Exception {
        DefaultWorkloadApiClient.ClientOptions options =
                DefaultWorkloadApiClient.ClientOptions.builder().spiffeSocketPath(socket).build();
        try (WorkloadApiClient client = DefaultWorkloadApiClient.newClient(options)) {
            X509Context context = client.fetchX509Context();
            X509BundleSet x509Bundles = client.fetchX509Bundles();
            JwtBundleSet jwtBundles = client.fetchJwtBundles();
            JwtSvid jwtSvid = client.fetchJwtSvid(audience);

            StringBuilder json = new StringBuilder("{");
            json.append("\"x509Context\":{\"svids\":[");
            List<String> svids = new ArrayList<>();
            for (X509Svid svid : context.getX509Svids()) {
                svids.add("{\"id\":" + quote(svid.getSpiffeId().toString()) + ",\"hint\":" + quote(svid.getHint())
                        + ",\"chain\":" + certificates(svid.getChain()) + "}");
            }
            json.append(String.join(",", svids)).append("],");
            json.append("\"defaultId\":").append(quote(context.getDefaultSvid().getSpiffeId().toString())).append(',');
            json.append("\"bundles\":").append(x509BundleJson(context.getX509BundleSet())).append("},");
            json.append("\"x509Bundles\":").append(x509BundleJson(x509Bundles)).append(',');
            json.append("\"jwtBundles\":").append(jwtBundleJson(jwtBundles)).append(',');
            json.append("\"jwtSvid\":{\"id\":").append(quote(jwtSvid.getSpiffeId().toString()))
                    .append(",\"audience\":").append(strings(jwtSvid.getAudience()))
                    .append(",\"expiry\":").append(jwtSvid.getExpiry().toInstant().getEpochSecond())
                    .append(",\"token\":").append(quote(jwtSvid.getToken())).append('}');
            if (tokenToValidate != null) {
                JwtSvid validated = JwtSvid.parseAndValidate(tokenToValidate, jwtBundles, Set.of(audience));
                json.append(",\"validated\":{\"id\":").append(quote(validated.getSpiffeId().toString())).append('}');
            }
            return json.append('}').toString();
        }
    }

    private static String x509BundleJson(X509BundleSet set) throws CertificateEncodingException {
        Map<String, String> byDomain = new TreeMap<>();
        for (Map.Entry<TrustDomain, X509Bundle> bundle : set.getBundles().entrySet()) {
            byDomain.put(bundle.getKey().getName(), certificates(bundle.getValue().getX509Authorities()));
        }
        return object(byDomain);
    }

    private static String jwtBundleJson(JwtBundleSet set) {
        Map<String, String> byDomain = new TreeMap<>();
        for (Map.Entry<TrustDomain, JwtBundle> bundle : set.getBundles().entrySet()) {
            Map<String, String> keys = new TreeMap<>();
            for (Map.Entry<String, PublicKey> key : bundle.getValue().getJwtAuthorities().entrySet()) {
                keys.put(key.getKey(), quote(base64(key.getValue().getEncoded())));
            }
            byDomain.put(bundle.getKey().getName(), object(keys));
        }
        return object(byDomain);
    }

    private static String certificates(Collection<X509Certificate> certificates) throws CertificateEncodingException {
        List<String> encoded = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            encoded.add(base64(certificate.getEncoded()));
        }
        return strings(encoded);
    }

    private static String strings(Collection<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String value : values) {
            quoted.add(quote(value));
        }
        return "[" + String.join(",", quoted) + "]";
    }

    /** An object from already-encoded JSON values. */
    private static String object(Map<String, String> members) {
        List<String> encoded = new ArrayList<>();
        members.forEach((name, value) -> encoded.add(quote(name) + ":" + value));
        return "{" + String.join(",", encoded) + "}";
    }

    private static String base64(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }

    /** A JSON string, or {@code null}; shared with the other probes. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
