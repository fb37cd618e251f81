package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.workloadapi.JwtSource;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import io.spiffe4j.workloadapi.web.httpserver.JwtSvidHttpFilter;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A JWT-SVID protected endpoint end to end: the caller gets its token from a real agent, a JDK {@code HttpServer}
 * with {@link JwtSvidHttpFilter} checks it, once through the agent (ValidateJWTSVID) and once locally against the
 * agent's JWT bundles in a {@link JwtSource}. The test JVM is both caller and server.
 */
@Tag("spire")
class JwtEndpointSpireTest {
    private static final String AUDIENCE = "spiffe://spiffe4j.test/orders";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain("spiffe4j.test"));

    private static final SpiffeId CALLER_ID = SpiffeId.parse("spiffe://spiffe4j.test/caller");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private final AtomicInteger handled = new AtomicInteger();
    private WorkloadApiClient workloadApi;
    private JwtSource jwtSource;
    private HttpServer server;

    @BeforeAll
    static void registerCaller() {
        SPIRE.spire().createEntry(CALLER_ID, WorkloadUser.current().uidSelector());
    }

    @BeforeEach
    void connect() {
        workloadApi = WorkloadApiClient.create(SPIRE.spire().workloadSocketAddress());
        jwtSource = JwtSource.builder().client(workloadApi).build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        jwtSource.close();
        workloadApi.close();
    }

    @Test
    void viaWorkloadApi_agentIssuedTokenIsServedWithCallerId_wrongAudienceAndNoTokenAre401() throws Exception {
        assertServesOnlyTheRightAudience(start(JwtSvidAuthenticator.viaWorkloadApi(workloadApi, AUDIENCE)));
    }

    @Test
    void localOverJwtSource_agentIssuedTokenIsServedWithCallerId_wrongAudienceAndNoTokenAre401() throws Exception {
        assertServesOnlyTheRightAudience(start(JwtSvidAuthenticator.local(jwtSource, AUDIENCE)));
    }

    private void assertServesOnlyTheRightAudience(URI uri) throws Exception {
        String token = jwtSource.fetchJwtSvid(AUDIENCE).token();
        String otherAudience = jwtSource.fetchJwtSvid("spiffe://spiffe4j.test/payments").token();

        HttpResponse<String> served = get(uri, "Bearer " + token);
        assertEquals(200, served.statusCode());
        assertEquals(CALLER_ID.toString(), served.body());

        HttpResponse<String> wrongAudience = get(uri, "Bearer " + otherAudience);
        assertEquals(401, wrongAudience.statusCode());
        assertEquals(Optional.of("Bearer error=\"invalid_token\""), wrongAudience.headers().firstValue("WWW-Authenticate"));
        assertEquals("", wrongAudience.body(), "no reason is sent to the caller");

        HttpResponse<String> anonymous = get(uri);
        assertEquals(401, anonymous.statusCode());
        assertEquals(Optional.of("Bearer"), anonymous.headers().firstValue("WWW-Authenticate"));

        assertEquals(1, handled.get(), "only the right audience reached the handler");
    }

    private URI start(JwtSvidAuthenticator authenticator) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HttpContext context = server.createContext("/orders", exchange -> {
            handled.incrementAndGet();
            byte[] body = String.valueOf(exchange.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        context.getFilters().add(new JwtSvidHttpFilter(authenticator));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");
    }

    private HttpResponse<String> get(URI uri, String... authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT);
        for (String value : authorization) {
            request.header("Authorization", value);
        }
        return http.send(request.build(), BodyHandlers.ofString());
    }
}
