package io.spiffe4j.interop.probe;

import io.spiffe.svid.jwtsvid.JwtSvid;
import io.spiffe.workloadapi.DefaultWorkloadApiClient;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.WorkloadApiClient;
import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * java-spiffe's side of spiffe4j's {@code WorkloadApiLatency} harness (benchmarks module), on java-spiffe's own class
 * path: the same cold-start and FetchJWTSVID measurements, printed as rows in the same format on stdout.
 *
 * <p>Usage: {@code JavaSpiffeLatency <socket address> <cold starts> <JWT warm-up calls> <JWT measured calls>}.
 */
public final class JavaSpiffeLatency {
    private JavaSpiffeLatency() {
    }

    public static void main(String[] args) throws Exception {
        String socket = args[0];
        int coldStarts = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        int calls = Integer.parseInt(args[3]);
        // java-spiffe logs every update and close at INFO; the rows on stdout are the only output wanted.
        Logger.getLogger("").setLevel(Level.WARNING);

        double[] cold = new double[coldStarts];
        for (int i = 0; i < coldStarts; i++) {
            long started = System.nanoTime();
            try (DefaultX509Source source = DefaultX509Source.newSource(
                    DefaultX509Source.X509SourceOptions.builder().spiffeSocketPath(socket).build())) {
                source.getX509Svid();
                cold[i] = (System.nanoTime() - started) / 1e6;
            }
        }
        double[] rest = Arrays.copyOfRange(cold, 1, cold.length);
        Arrays.sort(rest);
        row("cold start to first X509-SVID, first in JVM", cold[0]);
        row("cold start to first X509-SVID, p50 of next " + rest.length, percentile(rest, 50));
        row("cold start to first X509-SVID, max of next " + rest.length, rest[rest.length - 1]);

        double[] jwt = new double[calls];
        try (WorkloadApiClient client = DefaultWorkloadApiClient.newClient(
                DefaultWorkloadApiClient.ClientOptions.builder().spiffeSocketPath(socket).build())) {
            for (int i = 0; i < warmup; i++) {
                JwtSvid ignored = client.fetchJwtSvid("bench-audience");
            }
            for (int i = 0; i < calls; i++) {
                long started = System.nanoTime();
                client.fetchJwtSvid("bench-audience");
                jwt[i] = (System.nanoTime() - started) / 1e6;
            }
        }
        Arrays.sort(jwt);
        row("FetchJWTSVID p50 (" + calls + " calls)", percentile(jwt, 50));
        row("FetchJWTSVID p99", percentile(jwt, 99));
        row("FetchJWTSVID max", jwt[jwt.length - 1]);
    }

    private static double percentile(double[] sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)];
    }

    private static void row(String name, double value) {
        System.out.println(String.format("%-62s %10.3f", name, value));
    }
}
