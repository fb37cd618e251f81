package io.spiffe4j.testkit.spire;

import java.util.Objects;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Runs a real SPIRE ({@link Spire}) for JUnit 5 tests: one server and agent per test class, closed after the class.
 *
 * <pre>{@code
 * @ExtendWith(SpireExtension.class)            // defaults
 * class MyTest {
 *     @Test void fetches(Spire spire) { ... }  // injected into tests, constructors and @BeforeAll methods
 * }
 *
 * class MyConfiguredTest {
 *     @RegisterExtension
 *     static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().defaultX509SvidTtl(Duration.ofSeconds(20)));
 *     @Test void rotates() { Spire spire = SPIRE.spire(); ... }
 * }
 * }</pre>
 *
 * <p>Registered statically (or with {@code @ExtendWith}), SPIRE starts before the class's {@code @BeforeAll} methods
 * and stops after its {@code @AfterAll} methods; nested classes share their outer class's SPIRE. Registered on an
 * instance field, it starts before and stops after each test. A test or lifecycle method that fails gets the last
 * lines of the server and agent logs attached as a suppressed exception. SPIRE that cannot be found or started
 * fails the class; it is never skipped.
 *
 * <p>Thread-safe.
 */
public final class SpireExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver,
        TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SpireExtension.class);
    private static final int LOG_TAIL_LINES = 40;

    private final Spire.Builder builder;
    private volatile Spire current;

    /** An extension with {@link Spire.Builder}'s defaults, as {@code @ExtendWith(SpireExtension.class)} creates it. */
    public SpireExtension() {
        this(Spire.builder());
    }

    private SpireExtension(Spire.Builder builder) {
        this.builder = builder;
    }

    /** An extension starting SPIRE as {@code builder} configures it, for {@code @RegisterExtension}. */
    public static SpireExtension of(Spire.Builder builder) {
        return new SpireExtension(Objects.requireNonNull(builder, "builder").copy());
    }

    /**
     * The running SPIRE of the test class (or test) executing now.
     *
     * @throws IllegalStateException before the extension has started SPIRE
     */
    public Spire spire() {
        Spire spire = current;
        if (spire == null) {
            throw new IllegalStateException("SPIRE is not running yet: SpireExtension starts it before @BeforeAll"
                    + " (static registration) or before each test (instance field)");
        }
        return spire;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        obtain(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        obtain(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Spire.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return obtain(extensionContext);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withLogs(context, throwable);
    }

    /** The SPIRE visible from this context (its own or an enclosing one's), started here if there is none. */
    private Spire obtain(ExtensionContext context) {
        // Looks in enclosing contexts' stores first, so nested classes and each test share the class's SPIRE.
        Running running = context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(Running.class, key -> new Running(builder.start()), Running.class);
        current = running.spire;
        return running.spire;
    }

    private static Throwable withLogs(ExtensionContext context, Throwable throwable) {
        Running running = context.getStore(NAMESPACE).get(Running.class, Running.class);
        // SpireExceptions from the fixture already end with the log tails.
        if (running != null && !(throwable instanceof SpireException)) {
            throwable.addSuppressed(new SpireLogs(running.spire.logTails(LOG_TAIL_LINES)));
        }
        return throwable;
    }

    /** Closes SPIRE when JUnit closes the store of the context that started it. */
    private static final class Running implements ExtensionContext.Store.CloseableResource {
        final Spire spire;

        Running(Spire spire) {
            this.spire = spire;
        }

        @Override
        public void close() {
            spire.close();
        }
    }

    /** Carries the SPIRE log tails in a failed test's report; has no stack trace of its own. */
    static final class SpireLogs extends Exception {
        private static final long serialVersionUID = 1L;

        SpireLogs(String tails) {
            super("SPIRE logs at the failure:\n" + tails, null, false, false);
        }
    }
}
