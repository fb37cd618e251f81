package io.spiffe4j.upstream.akeyless.spire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * An SLF4J logger writing hclog lines. Key-value pairs of the fluent API ({@code LOG.atInfo().addKeyValue(...)})
 * become fields of the line, so SPIRE shows them as structured fields. Thread-safe.
 */
final class HclogLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  private final transient Hclog sink;
  private final boolean debug;
  private final String shortName;

  HclogLogger(String name, Hclog sink, boolean debug) {
    this.name = name;
    this.sink = sink;
    this.debug = debug;
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public boolean isTraceEnabled() {
    return false;
  }

  @Override
  public boolean isDebugEnabled() {
    return debug;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
      Throwable throwable) {
    write(level, pattern, arguments, null, throwable);
  }

  @Override
  public void log(LoggingEvent event) {
    if (isEnabledForLevel(event.getLevel())) {
      write(event.getLevel(), event.getMessage(), event.getArgumentArray(), event.getKeyValuePairs(),
          event.getThrowable());
    }
  }

  private void write(Level level, String pattern, Object[] arguments, List<KeyValuePair> pairs, Throwable throwable) {
    org.slf4j.helpers.FormattingTuple formatted = MessageFormatter.arrayFormat(pattern, arguments, throwable);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("logger", shortName);
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        fields.put(pair.key, pair.value);
      }
    }
    sink.log(level.name().toLowerCase(java.util.Locale.ROOT), formatted.getMessage(), fields,
        formatted.getThrowable());
  }
}
