package io.spiffe4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once with tiny settings, in this JVM: proves each one (and each competitor behind its
 * parameters) runs to a result. Measures nothing; the full run is a separate README command.
 */
class BenchmarkSmokeTest {

  @Test
  void everyBenchmarkRunsOnce() throws Exception {
    Set<String> declared = new TreeSet<>();
    for (BenchmarkListEntry entry : BenchmarkList.defaultList().getAll(null, java.util.List.of())) {
      declared.add(entry.getUsername());
    }
    assertFalse(declared.isEmpty(), "no benchmarks were generated");
    Options options = new OptionsBuilder()
        .include("io\\.spiffe4j\\.benchmarks\\..*")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(20))
        .timeUnit(TimeUnit.MICROSECONDS)
        // Enough to prove the round-robin, cheap to set up: the full run mints thousands of leaves per trial.
        .param("leaves", "16")
        .param("tokens", "4")
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    Set<String> ran = new TreeSet<>();
    for (RunResult result : results) {
      ran.add(result.getParams().getBenchmark());
      assertTrue(result.getPrimaryResult().getScore() > 0, result.getParams().getBenchmark());
    }
    assertEquals(declared, ran);
  }
}
