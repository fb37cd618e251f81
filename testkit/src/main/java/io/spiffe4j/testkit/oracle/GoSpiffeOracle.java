package io.spiffe4j.testkit.oracle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks go-spiffe v2.9.0 (the reference SPIFFE implementation) for its verdicts, so differential tests can compare
 * spiffe4j's decisions with it.
 *
 * <p>{@link #start()} builds the oracle from the Go sources shipped in this jar (once per machine and source
 * version, cached under {@code ${SPIFFE4J_CACHE:-~/.cache/spiffe4j}/go-spiffe-oracle/}) and runs it as a child
 * process spoken to in JSON Lines. One oracle serves any number of threads, one request at a time; use
 * {@link #runAll(List)} to pipeline many requests.
 *
 * <p>Go-spiffe's rejections come back as {@link Verdict}s with {@code ok() == false}. Anything else that goes
 * wrong (Go missing, the build failing, the process dying, a request the oracle calls malformed) throws
 * {@link GoSpiffeOracleException}, with the tail of the oracle's stderr where it has one.
 */
public final class GoSpiffeOracle implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    private static final Duration WRITER_GRACE = Duration.ofSeconds(5);

    private final Process process;
    private final BufferedWriter requests;
    private final BufferedReader responses;
    private final StderrTail stderr;
    /** Why the request and response streams can no longer be trusted to be in step, or null. */
    private String brokenBecause;
    private boolean closed;

    private GoSpiffeOracle(Process process) {
        this.process = process;
        this.requests = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
        this.responses = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
        this.stderr = new StderrTail(process);
    }

    /**
     * Builds the oracle if this machine has not built this version yet, then starts it.
     *
     * @throws GoSpiffeOracleException if Go is missing, the build fails, or the binary does not start
     */
    public static GoSpiffeOracle start() {
        Path binary = OracleBuild.binary();
        try {
            return new GoSpiffeOracle(new ProcessBuilder(binary.toString()).start());
        } catch (IOException e) {
            throw new GoSpiffeOracleException("cannot start the go-spiffe oracle " + binary + ": " + e, e);
        }
    }

    /** The oracle process's id, for diagnostics. */
    public long pid() {
        return process.pid();
    }

    /** See {@link OracleRequest#version()}. */
    public Verdict version() {
        return run(OracleRequest.version());
    }

    /** See {@link OracleRequest#idParse(String)}. */
    public Verdict idParse(String id) {
        return run(OracleRequest.idParse(id));
    }

    /** See {@link OracleRequest#trustDomainParse(String)}. */
    public Verdict trustDomainParse(String idOrName) {
        return run(OracleRequest.trustDomainParse(idOrName));
    }

    /** See {@link OracleRequest#idFromSegments(String, List)}. */
    public Verdict idFromSegments(String trustDomain, List<String> segments) {
        return run(OracleRequest.idFromSegments(trustDomain, segments));
    }

    /** See {@link OracleRequest#idFromPath(String, String)}. */
    public Verdict idFromPath(String trustDomain, String path) {
        return run(OracleRequest.idFromPath(trustDomain, path));
    }

    /** See {@link OracleRequest#x509Verify(List, String, List, Instant)}. */
    public Verdict x509Verify(List<byte[]> chainDer, String trustDomain, List<byte[]> authoritiesDer, Instant now) {
        return run(OracleRequest.x509Verify(chainDer, trustDomain, authoritiesDer, now));
    }

    /** See {@link OracleRequest#x509Parse(List, byte[])}. */
    public Verdict x509Parse(List<byte[]> chainDer, byte[] pkcs8Der) {
        return run(OracleRequest.x509Parse(chainDer, pkcs8Der));
    }

    /** See {@link OracleRequest#jwtValidate(String, String, String, List)}. */
    public Verdict jwtValidate(String token, String trustDomain, String jwksJson, List<String> audiences) {
        return run(OracleRequest.jwtValidate(token, trustDomain, jwksJson, audiences));
    }

    /** See {@link OracleRequest#jwtParseInsecure(String, List)}. */
    public Verdict jwtParseInsecure(String token, List<String> audiences) {
        return run(OracleRequest.jwtParseInsecure(token, audiences));
    }

    /** See {@link OracleRequest#bundleParse(String, String, byte[])}. */
    public Verdict bundleParse(String format, String trustDomain, byte[] data) {
        return run(OracleRequest.bundleParse(format, trustDomain, data));
    }

    /** {@link #idParse(String)} for each id, pipelined; verdicts in input order. */
    public List<Verdict> idParseAll(List<String> ids) {
        return runAll(ids.stream().map(OracleRequest::idParse).toList());
    }

    /** Asks one question. */
    public synchronized Verdict run(OracleRequest request) {
        requireUsable();
        String line = serialize(request);
        try {
            requests.write(line);
            requests.write('\n');
            requests.flush();
        } catch (IOException e) {
            throw broken("cannot send " + request + " (" + e + "; " + exitStatus() + ")");
        }
        return verdict(request, readResponse(request));
    }

    /**
     * Asks many questions at once: a writer thread streams the requests while this thread reads the answers, so
     * neither side can fill a pipe buffer and wait on the other. Verdicts come back in request order.
     *
     * @throws GoSpiffeOracleException for the first request the oracle rejected as malformed, after the whole batch
     *     has been answered (the oracle stays usable), or if the oracle failed (it is then unusable)
     */
    public synchronized List<Verdict> runAll(List<OracleRequest> batch) {
        requireUsable();
        List<String> lines = batch.stream().map(GoSpiffeOracle::serialize).toList();
        BatchWriter writer = new BatchWriter(lines);
        writer.start();
        List<JsonNode> answers = new ArrayList<>(batch.size());
        try {
            for (OracleRequest request : batch) {
                answers.add(readResponse(request));
            }
        } catch (GoSpiffeOracleException e) {
            // broken() has killed the process, so the writer's next write fails and it ends.
            writer.awaitEnd();
            if (writer.failure != null) {
                e.addSuppressed(writer.failure);
            }
            throw e;
        }
        // Every line was answered, so every line was written: the writer is at most returning from flush().
        if (!writer.awaitEnd()) {
            throw broken("the batch writer is still running " + WRITER_GRACE.toSeconds() + " s after the last answer");
        }
        List<Verdict> verdicts = new ArrayList<>(batch.size());
        Iterator<JsonNode> answer = answers.iterator();
        for (OracleRequest request : batch) {
            verdicts.add(verdict(request, answer.next()));
        }
        return verdicts;
    }

    /** Closes the oracle's stdin, lets it exit for up to 5 s, then kills it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            requests.close();
        } catch (IOException e) {
            // The process has already gone; waiting for it below still reaps it.
        }
        try {
            if (!process.waitFor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            responses.close();
        } catch (IOException e) {
            // Nothing is left to read from a process that has ended.
        }
    }

    private void requireUsable() {
        if (closed) {
            throw new GoSpiffeOracleException("the go-spiffe oracle is closed");
        }
        if (brokenBecause != null) {
            throw new GoSpiffeOracleException("the go-spiffe oracle is unusable since an earlier failure: " + brokenBecause);
        }
    }

    private JsonNode readResponse(OracleRequest request) {
        String line;
        try {
            line = responses.readLine();
        } catch (IOException e) {
            throw broken("cannot read the answer to " + request + " (" + e + ")");
        }
        if (line == null) {
            throw broken("the oracle closed its stdout (" + exitStatus() + ") before answering " + request);
        }
        try {
            JsonNode answer = JSON.readTree(line);
            if (answer.isObject() && answer.path("ok").isBoolean()) {
                return answer;
            }
        } catch (JsonProcessingException e) {
            // Reported below together with the offending line.
        }
        throw broken("unparsable answer " + line + " to " + request);
    }

    private Verdict verdict(OracleRequest request, JsonNode answer) {
        if (answer.path("protocol_error").asBoolean(false)) {
            throw new GoSpiffeOracleException("the go-spiffe oracle rejected " + request + " as malformed: "
                    + answer.path("error").asText() + stderr.describe());
        }
        boolean ok = answer.get("ok").booleanValue();
        JsonNode error = answer.get("error");
        if (ok == (error != null) || (error != null && !error.isTextual())) {
            throw new GoSpiffeOracleException("inconsistent answer " + answer + " to " + request + stderr.describe());
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        answer.properties().forEach(field -> {
            if (!field.getKey().equals("ok") && !field.getKey().equals("error")) {
                fields.put(field.getKey(), value(field.getValue(), answer, request));
            }
        });
        return new Verdict(ok, ok ? null : error.textValue(), fields);
    }

    private Object value(JsonNode node, JsonNode answer, OracleRequest request) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isArray()) {
            List<Object> elements = new ArrayList<>(node.size());
            node.forEach(element -> elements.add(value(element, answer, request)));
            return List.copyOf(elements);
        }
        throw new GoSpiffeOracleException("answer " + answer + " to " + request + " has a field of unexpected type " + node.getNodeType());
    }

    /**
     * Marks the oracle unusable, since requests and responses may be out of step, and kills the process so that a
     * batch writer blocked on it ends too.
     */
    private GoSpiffeOracleException broken(String why) {
        brokenBecause = why;
        process.destroyForcibly();
        stderr.awaitEnd();
        return new GoSpiffeOracleException("go-spiffe oracle failed: " + why + stderr.describe());
    }

    private String exitStatus() {
        try {
            if (process.waitFor(1, TimeUnit.SECONDS)) {
                return "exit status " + process.exitValue();
            }
            return "process still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "exit status unknown: interrupted";
        }
    }

    private static String serialize(OracleRequest request) {
        try {
            return JSON.writeValueAsString(request.json());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialize " + request.op() + " request", e);
        }
    }

    /** Streams one batch of request lines to the oracle. */
    private final class BatchWriter extends Thread {
        private final List<String> lines;
        private volatile IOException failure;

        BatchWriter(List<String> lines) {
            super("go-spiffe-oracle-writer-" + process.pid());
            setDaemon(true);
            this.lines = lines;
        }

        @Override
        public void run() {
            try {
                for (String line : lines) {
                    requests.write(line);
                    requests.write('\n');
                }
                requests.flush();
            } catch (IOException e) {
                // The reader sees the process end and reports it; this is added to that report.
                failure = e;
            }
        }

        /** Whether the writer ended within {@link #WRITER_GRACE}. */
        boolean awaitEnd() {
            try {
                join(WRITER_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return !isAlive();
        }
    }

    /** Keeps the last lines of the oracle's stderr for error messages; draining it also keeps the oracle from blocking. */
    private static final class StderrTail {
        private static final int LINES = 40;
        private static final Duration DRAIN_GRACE = Duration.ofMillis(500);
        private final Deque<String> tail = new ArrayDeque<>();
        private final Thread drain;

        StderrTail(Process process) {
            drain = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        add(line);
                    }
                } catch (IOException e) {
                    add("(stderr unreadable: " + e + ")");
                }
            }, "go-spiffe-oracle-stderr-" + process.pid());
            drain.setDaemon(true);
            drain.start();
        }

        /** Lets the drain catch up with a dead process, so its last words make it into the error message. */
        void awaitEnd() {
            try {
                drain.join(DRAIN_GRACE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private synchronized void add(String line) {
            if (tail.size() == LINES) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }

        synchronized String describe() {
            return tail.isEmpty() ? " (oracle stderr is empty)" : "\noracle stderr (last lines):\n" + String.join("\n", tail);
        }
    }
}
