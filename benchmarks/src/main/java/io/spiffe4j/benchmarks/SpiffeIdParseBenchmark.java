package io.spiffe4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code SpiffeId.parse} of a typical workload ID, spiffe4j next to java-spiffe 0.8.17 in the same run.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SpiffeIdParse}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SpiffeIdParseBenchmark {
  @Param({"spiffe4j", "java-spiffe"})
  public String implementation;

  private static final String ID = "spiffe://prod.example.org/ns/payments/sa/api-server";

  @Benchmark
  public Object parse() {
    return "spiffe4j".equals(implementation)
        ? io.spiffe4j.id.SpiffeId.parse(ID)
        : io.spiffe.spiffeid.SpiffeId.parse(ID);
  }
}
