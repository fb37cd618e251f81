package io.spiffe4j.testkit.spire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows a SPIRE log written with {@code log_format = "json"}, returning each complete new line as a JSON object.
 * Lines that are not JSON objects (SPIRE prints a few plain lines to stdout) are skipped. Not thread-safe.
 */
final class JsonLogReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream();
    private long position;

    JsonLogReader(Path file, long position) {
        this.file = file;
        this.position = position;
    }

    /** The JSON lines completed since the last call. */
    List<JsonNode> poll() throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            channel.position(position);
            int read;
            while ((read = channel.read(buffer)) > 0) {
                position += read;
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        parse(events);
                    } else {
                        partialLine.write(b);
                    }
                }
                buffer.clear();
            }
        }
        return events;
    }

    private void parse(List<JsonNode> events) {
        String line = partialLine.toString(StandardCharsets.UTF_8).strip();
        partialLine.reset();
        if (line.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(line);
                if (node != null && node.isObject()) {
                    events.add(node);
                }
            } catch (IOException notJson) {
                // A plain line that happens to start with a brace: not an event.
            }
        }
    }
}
