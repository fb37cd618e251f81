package io.spiffe4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Prints verdicts one line per input, in input order, and turns them into the exit code. */
final class VerdictPrinter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private VerdictPrinter() {}

  static int print(List<Verdict> verdicts, boolean json, PrintWriter out) {
    boolean allValid = true;
    for (Verdict verdict : verdicts) {
      out.println(json ? toJsonLine(verdict) : verdict.toHumanLine());
      allValid &= verdict.isValid();
    }
    out.flush();
    return allValid ? 0 : Main.EXIT_INVALID;
  }

  private static String toJsonLine(Verdict verdict) {
    return jsonLine(verdict.toJson());
  }

  /** A JSON object on one line. */
  static String jsonLine(Map<String, Object> fields) {
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}
