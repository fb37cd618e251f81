package io.spiffe4j.upstream.akeyless.spire;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the plugin process: every logger writes hclog JSON lines to stderr through {@link Hclog}.
 * Selected with the {@code slf4j.provider} system property by {@link Hclog#install}, never through a service file,
 * so it binds only in the plugin process. spiffe4j's loggers log from DEBUG up, all others from INFO.
 *
 * <p>Public only because SLF4J instantiates it reflectively; not part of any API. Thread-safe.
 */
public final class HclogProvider implements SLF4JServiceProvider {
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new NOPMDCAdapter();
  private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, HclogProvider::newLogger);

  private static Logger newLogger(String name) {
    return new HclogLogger(name, Hclog.installed(), name.startsWith("io.spiffe4j."));
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // Nothing to set up: Hclog.install did.
  }
}
