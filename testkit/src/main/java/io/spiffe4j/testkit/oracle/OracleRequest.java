package io.spiffe4j.testkit.oracle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * One question for the go-spiffe oracle. The factories mirror the oracle's ops; build a list of these to
 * pipeline them with {@link GoSpiffeOracle#runAll(List)}.
 *
 * <p>Strings travel as UTF-8 JSON strings, so a Java string that is not valid UTF-16 (a lone surrogate) cannot be
 * asked about faithfully. Binary values travel as standard base64.
 */
public final class OracleRequest {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ObjectNode json;

    private OracleRequest(String op) {
        this.json = JSON.objectNode().put("op", op);
    }

    /** The Go and go-spiffe versions the oracle binary was built with. */
    public static OracleRequest version() {
        return new OracleRequest("version");
    }

    /** {@code spiffeid.FromString}; ok fields: {@code spiffe_id}, {@code trust_domain}, {@code path}. */
    public static OracleRequest idParse(String id) {
        return new OracleRequest("id_parse").text("input", id);
    }

    /** {@code spiffeid.TrustDomainFromString}; ok field: {@code trust_domain}. */
    public static OracleRequest trustDomainParse(String idOrName) {
        return new OracleRequest("td_parse").text("input", idOrName);
    }

    /** {@code spiffeid.TrustDomainFromString}, then {@code spiffeid.FromSegments}; ok field: {@code spiffe_id}. */
    public static OracleRequest idFromSegments(String trustDomain, List<String> segments) {
        return new OracleRequest("id_from_segments").text("trust_domain", trustDomain).texts("segments", segments);
    }

    /** {@code spiffeid.TrustDomainFromString}, then {@code spiffeid.FromPath}; ok field: {@code spiffe_id}. */
    public static OracleRequest idFromPath(String trustDomain, String path) {
        return new OracleRequest("id_from_path").text("trust_domain", trustDomain).text("path", path);
    }

    /**
     * {@code x509svid.ParseAndVerify} of the chain (leaf first) against {@code x509bundle.FromX509Authorities} at
     * {@code now} (whole seconds); ok field: {@code spiffe_id}. An authority that does not parse gives a verdict
     * whose error starts with {@code "bundle: "}; an invalid trust domain name is a protocol error, since go-spiffe
     * cannot represent a bundle for it.
     */
    public static OracleRequest x509Verify(
            List<byte[]> chainDer, String trustDomain, List<byte[]> authoritiesDer, Instant now) {
        return new OracleRequest("x509_verify")
                .binaries("chain", chainDer)
                .text("trust_domain", trustDomain)
                .binaries("authorities", authoritiesDer)
                .number("now", now.getEpochSecond());
    }

    /** {@code x509svid.ParseRaw} of the concatenated chain and the PKCS#8 key; ok field: {@code spiffe_id}. */
    public static OracleRequest x509Parse(List<byte[]> chainDer, byte[] pkcs8Der) {
        return new OracleRequest("x509_parse").binaries("chain", chainDer).binary("key", pkcs8Der);
    }

    /**
     * {@code jwtbundle.Parse} of the JWK set (a failure gives an error starting with {@code "bundle: "}), then
     * {@code jwtsvid.ParseAndValidate}; ok fields: {@code spiffe_id}, {@code audience}, {@code expiry} (Unix
     * seconds). go-spiffe checks times against the oracle's real clock: it has no clock option.
     */
    public static OracleRequest jwtValidate(String token, String trustDomain, String jwksJson, List<String> audiences) {
        return new OracleRequest("jwt_validate")
                .text("token", token)
                .text("trust_domain", trustDomain)
                .text("jwks", jwksJson)
                .texts("audience", audiences);
    }

    /** {@code jwtsvid.ParseInsecure}; ok fields as for {@link #jwtValidate}. */
    public static OracleRequest jwtParseInsecure(String token, List<String> audiences) {
        return new OracleRequest("jwt_parse_insecure").text("token", token).texts("audience", audiences);
    }

    /**
     * Parses a bundle with the go-spiffe parser for {@code format}: {@code spiffe} ({@code spiffebundle.Parse}),
     * {@code jwks} ({@code jwtbundle.Parse}), {@code x509_pem} ({@code x509bundle.Parse}) or {@code x509_der}
     * ({@code x509bundle.ParseRaw}). Ok fields: {@code x509_authorities}, {@code jwt_authorities} (counts),
     * {@code jwt_kids} (sorted); for {@code spiffe} also {@code wit_authorities}, and {@code sequence} and
     * {@code refresh_hint_seconds} when set.
     */
    public static OracleRequest bundleParse(String format, String trustDomain, byte[] data) {
        return new OracleRequest("bundle_parse").text("format", format).text("trust_domain", trustDomain).binary("data", data);
    }

    /** The op name, as in the protocol. */
    public String op() {
        return json.get("op").asText();
    }

    ObjectNode json() {
        return json;
    }

    @Override
    public String toString() {
        return json.toString();
    }

    private OracleRequest text(String field, String value) {
        json.put(field, Objects.requireNonNull(value, field));
        return this;
    }

    private OracleRequest texts(String field, List<String> values) {
        ArrayNode array = json.putArray(field);
        values.forEach(value -> array.add(Objects.requireNonNull(value, field)));
        return this;
    }

    private OracleRequest number(String field, long value) {
        json.put(field, value);
        return this;
    }

    private OracleRequest binary(String field, byte[] value) {
        json.put(field, Base64.getEncoder().encodeToString(value));
        return this;
    }

    private OracleRequest binaries(String field, List<byte[]> values) {
        ArrayNode array = json.putArray(field);
        values.forEach(value -> array.add(Base64.getEncoder().encodeToString(value)));
        return this;
    }
}
