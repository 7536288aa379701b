package com.flintn.webhooks.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's {@code promtool} (package {@code prometheus}, which {@code .ci/run} installs). */
final class Promtool {
  static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  record Result(int status, String output) {}

  private Promtool() {}

  static Result run(String stdin, String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(PROMTOOL)) {
      throw new AssertionError(
          "these tests need promtool: apt-get install prometheus (.ci/run does this)");
    }
    List<String> cmd = new ArrayList<>(List.of(PROMTOOL.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Result(p.exitValue(), out);
  }
}
