package io.spiffe4j.workloadapi.web.servlet;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.workloadapi.web.JwtAuthenticationException;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that lets a request through only with a valid JWT-SVID in its
 * {@code Authorization: Bearer} header, and puts the caller's {@link SpiffeId} in the request attribute
 * {@value JwtSvidAuthenticator#CALLER_ID_ATTRIBUTE}.
 *
 * <pre>{@code
 * JwtSvidAuthenticator authenticator = JwtSvidAuthenticator.local(jwtSource, "spiffe://example.org/orders");
 * context.addFilter(new FilterHolder(new JwtSvidServletFilter(authenticator)), "/*", EnumSet.of(REQUEST));
 * // in a servlet:
 * SpiffeId caller = (SpiffeId) request.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE);
 * }</pre>
 *
 * <p>A rejected request gets an empty 401 with {@code WWW-Authenticate: Bearer} (no credentials) or
 * {@code Bearer error="invalid_token"} (a bad token), or a 503 if the token could not be checked
 * ({@link JwtAuthenticationException#httpStatus()}); the reason goes to the log at DEBUG (WARN for 503), never to the
 * client and never with the token. Needs {@code jakarta.servlet-api} 5 or later at run time, which the servlet
 * container provides; spiffe4j itself does not depend on it. Thread-safe.
 */
public final class JwtSvidServletFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(JwtSvidServletFilter.class);

  private final JwtSvidAuthenticator authenticator;

  public JwtSvidServletFilter(JwtSvidAuthenticator authenticator) {
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
  }

  /**
   * @throws ServletException if the request is not an HTTP request: there is no header to authenticate it by
   */
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      throw new ServletException("JwtSvidServletFilter authenticates HTTP requests only");
    }
    HttpServletRequest http = (HttpServletRequest) request;
    SpiffeId caller;
    try {
      caller = authenticator.authenticate(Collections.list(http.getHeaders("Authorization")));
    } catch (JwtAuthenticationException e) {
      reject((HttpServletResponse) response, http, e);
      return;
    }
    http.setAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE, caller);
    chain.doFilter(request, response);
  }

  private static void reject(HttpServletResponse response, HttpServletRequest request, JwtAuthenticationException e)
      throws IOException {
    if (e.failure() == JwtAuthenticationException.Failure.UNAVAILABLE) {
      LOG.warn("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
    } else {
      LOG.debug("{} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
    }
    response.resetBuffer();
    response.setStatus(e.httpStatus());
    if (e.challenge() != null) {
      response.setHeader("WWW-Authenticate", e.challenge());
    }
    response.setContentLength(0);
    response.flushBuffer();
  }

  @Override
  public String toString() {
    return "JwtSvidServletFilter{" + authenticator + "}";
  }
}
