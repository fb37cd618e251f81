package io.spiffe4j.certauth;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Tells the suite's last test what else this run holds and what of it has finished, so that the secret scan can
 * prove it ran after everything else, across test engines (Jupiter orders its classes, but jqwik's properties run in
 * another engine). It only observes: the scan itself is a test, so it can fail the build, which a listener cannot.
 * Registered through {@code META-INF/services}. Thread-safe.
 */
public final class SuiteProgress implements TestExecutionListener {
  private static volatile TestPlan plan;
  private static final Set<String> done = ConcurrentHashMap.newKeySet();

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
  }

  @Override
  public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
    done.add(identifier.getUniqueId());
  }

  @Override
  public void executionSkipped(TestIdentifier identifier, String reason) {
    done.add(identifier.getUniqueId());
  }

  /**
   * The display names of what this run holds besides {@code testClass} (its tests, and the engine and containers
   * it sits in) that has not finished yet.
   *
   * @throws AssertionError if this listener was not registered, so the run's plan is unknown
   */
  static List<String> unfinishedBesides(Class<?> testClass) {
    TestPlan current = requirePlan();
    TestIdentifier own = classIdentifier(current, testClass);
    List<UniqueId> ancestors = new ArrayList<>();
    for (TestIdentifier up = own; up != null; up = current.getParent(up).orElse(null)) {
      ancestors.add(up.getUniqueIdObject());
    }
    List<String> unfinished = new ArrayList<>();
    for (TestIdentifier root : current.getRoots()) {
      List<TestIdentifier> all = new ArrayList<>(current.getDescendants(root));
      all.add(root);
      for (TestIdentifier identifier : all) {
        UniqueId id = identifier.getUniqueIdObject();
        if (!ancestors.contains(id) && !id.hasPrefix(own.getUniqueIdObject()) && !done.contains(id.toString())) {
          unfinished.add(identifier.getDisplayName() + " [" + id + "]");
        }
      }
    }
    return unfinished;
  }

  /** How many tests of this run (not containers) have finished, {@code testClass}'s own excluded. */
  static long finishedTestsBesides(Class<?> testClass) {
    TestPlan current = requirePlan();
    UniqueId own = classIdentifier(current, testClass).getUniqueIdObject();
    return current.countTestIdentifiers(identifier -> identifier.isTest()
        && !identifier.getUniqueIdObject().hasPrefix(own) && done.contains(identifier.getUniqueId()));
  }

  private static TestPlan requirePlan() {
    TestPlan current = plan;
    if (current == null) {
      throw new AssertionError(SuiteProgress.class.getName() + " did not see the test plan: it must be registered in"
          + " META-INF/services/org.junit.platform.launcher.TestExecutionListener");
    }
    return current;
  }

  private static TestIdentifier classIdentifier(TestPlan current, Class<?> testClass) {
    for (TestIdentifier root : current.getRoots()) {
      for (TestIdentifier identifier : current.getDescendants(root)) {
        if (identifier.getSource().filter(ClassSource.class::isInstance).map(ClassSource.class::cast)
            .filter(source -> source.getClassName().equals(testClass.getName())).isPresent()) {
          return identifier;
        }
      }
    }
    throw new AssertionError(testClass.getName() + " is not in this run's test plan");
  }
}
