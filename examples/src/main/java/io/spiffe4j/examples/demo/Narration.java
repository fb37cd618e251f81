package io.spiffe4j.examples.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The demo's output: one line per event, a short tag first. Not thread-safe; the demo tells its story in order. */
final class Narration {
  private final PrintStream out;
  private final List<String> lines = new ArrayList<>();

  Narration(PrintStream out) {
    this.out = out;
  }

  void say(String tag, String text) {
    String line = String.format("%-9s %s", tag, text);
    lines.add(line);
    out.println(line);
    out.flush();
  }

  /** Every line said so far. */
  List<String> lines() {
    return List.copyOf(lines);
  }
}
