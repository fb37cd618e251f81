package io.spiffe4j.workloadapi.web.httpserver;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.workloadapi.web.JwtAuthenticationException;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A filter for the JDK's {@code com.sun.net.httpserver} that lets an exchange through only with a valid JWT-SVID in
 * its {@code Authorization: Bearer} header, and puts the caller's {@link SpiffeId} in the exchange attribute
 * {@value JwtSvidAuthenticator#CALLER_ID_ATTRIBUTE}.
 *
 * <pre>{@code
 * HttpContext context = server.createContext("/orders", handler);
 * context.getFilters().add(new JwtSvidHttpFilter(JwtSvidAuthenticator.local(jwtSource, "spiffe://example.org/orders")));
 * // in the handler:
 * SpiffeId caller = (SpiffeId) exchange.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE);
 * }</pre>
 *
 * <p>Rejections are answered as by the servlet filter: an empty 401 with a {@code Bearer} challenge, or a 503 when
 * the token could not be checked, with the reason logged and never sent. Needs the {@code jdk.httpserver} module
 * at run time. Thread-safe.
 */
public final class JwtSvidHttpFilter extends Filter {
  private static final Logger LOG = LoggerFactory.getLogger(JwtSvidHttpFilter.class);

  private final JwtSvidAuthenticator authenticator;

  public JwtSvidHttpFilter(JwtSvidAuthenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    List<String> values = exchange.getRequestHeaders().get("Authorization");
    SpiffeId caller;
    try {
      caller = authenticator.authenticate(values == null ? List.of() : values);
    } catch (JwtAuthenticationException e) {
      reject(exchange, e);
      return;
    }
    exchange.setAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE, caller);
    chain.doFilter(exchange);
  }

  private static void reject(HttpExchange exchange, JwtAuthenticationException e) throws IOException {
    if (e.failure() == JwtAuthenticationException.Failure.UNAVAILABLE) {
      LOG.warn("{} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.getMessage());
    } else {
      LOG.debug("{} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e.getMessage());
    }
    if (e.challenge() != null) {
      exchange.getResponseHeaders().set("WWW-Authenticate", e.challenge());
    }
    exchange.sendResponseHeaders(e.httpStatus(), -1);
    exchange.close();
  }

  @Override
  public String description() {
    return "JWT-SVID bearer authentication (" + authenticator + ")";
  }
}
