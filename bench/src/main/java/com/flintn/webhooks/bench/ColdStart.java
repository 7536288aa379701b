package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.io.Directories;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** P6: {@code bin/flintn-webhooks standalone} from a fresh data directory until it says ready. */
final class ColdStart {
  private static final Pattern READY = Pattern.compile("standalone ready in ([0-9.]+) s");

  private ColdStart() {}

  static Result run(Path root) throws Exception {
    Path data = Files.createTempDirectory("flintn-bench-standalone");
    ProcessBuilder pb =
        new ProcessBuilder(root.resolve("bin/flintn-webhooks").toString(), "standalone")
            .directory(root.toFile())
            .redirectErrorStream(true);
    pb.environment().put("FLINTN_STANDALONE_DATA_DIR", data.toString());
    pb.environment().put("FLINTN_STANDALONE_KAFKA_PORT", String.valueOf(freePort()));
    pb.environment().put("FLINTN_ADMIN_PORT", String.valueOf(freePort()));
    pb.environment().put("FLINTN_METRICS_PORT", String.valueOf(freePort()));
    long started = System.nanoTime();
    Process p = pb.start();
    double reported = Double.NaN;
    double wall = Double.NaN;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        Matcher m = READY.matcher(line);
        if (m.find()) {
          wall = (System.nanoTime() - started) / 1e9;
          reported = Double.parseDouble(m.group(1));
          break;
        }
      }
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Directories.deleteQuietly(data);
    }
    return Result.single(
        "P6",
        "standalone cold start (fresh data directory)",
        "s to ready",
        wall,
        Double.NaN,
        "<= 15 s",
        wall <= 15,
        String.format(
            Locale.ROOT,
            "the process reports %.1f s from JVM start; wall time includes the script",
            reported),
        Map.of("reported_s", reported));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
