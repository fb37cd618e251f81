package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of logs and outputs, for failure messages. */
final class LogTails {
    /** Enough for the last few dozen SPIRE JSON log lines without reading a long log whole. */
    private static final int MAX_TAIL_BYTES = 64 * 1024;

    private LogTails() {}

    static String lastLines(String text, int lines) {
        List<String> all = Arrays.asList(text.split("\n", -1));
        int end = all.size() > 0 && all.get(all.size() - 1).isEmpty() ? all.size() - 1 : all.size();
        return String.join("\n", all.subList(Math.max(0, end - lines), end));
    }

    /** The file's last {@code lines} lines, or a note saying why there are none. */
    static String lastLines(Path file, int lines) {
        if (!Files.exists(file)) {
            return "[no log: " + file + " does not exist]";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, MAX_TAIL_BYTES);
            byte[] tail = new byte[size];
            in.seek(length - size);
            in.readFully(tail);
            String text = lastLines(new String(tail, StandardCharsets.UTF_8), lines);
            return text.isEmpty() ? "[empty log: " + file + "]" : text;
        } catch (IOException e) {
            return "[cannot read " + file + ": " + e + "]";
        }
    }
}
