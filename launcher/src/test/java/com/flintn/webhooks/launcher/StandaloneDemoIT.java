package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's run command, {@code bin/flintn-webhooks standalone --demo}, as a real process
 * against the built distribution, and waits for the demo's deliveries. Then stops it with SIGTERM,
 * restarts it on the same data directory, and checks the events from the first run are still there.
 */
@Tag("process")
class StandaloneDemoIT {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();
  private static final Pattern READY = Pattern.compile("standalone ready in ([0-9.]+) s");

  @TempDir Path dataDir;

  @Test
  void theReadmeRunCommandStartsAndShowsVerifiedDeliveries() throws Exception {
    int port = freePort();
    int adminPort = freePort();
    int metricsPort = freePort();
    Run first = start(port, adminPort, metricsPort);
    try {
      first.awaitLine("3 of 3 sample events delivered and verified", Duration.ofSeconds(120));
      String key =
          first.lines.stream()
              .filter(l -> l.startsWith("API key for account acc_demo: "))
              .map(l -> l.substring(l.indexOf(": ") + 2).strip())
              .findFirst()
              .orElseThrow(() -> new AssertionError("no API key printed"));
      assertThat(first.lines)
          .anyMatch(
              l -> l.contains("Dashboard and admin API: http://localhost:" + adminPort + "/"));
      HttpClient http = HttpClient.newHttpClient();
      String admin = "http://localhost:" + adminPort;
      HttpResponse<String> list = get(http, admin + "/v1/webhooks", key);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("\"id\":\"ep_demo\"", "\"status\":\"active\"");
      HttpResponse<String> types = get(http, admin + "/v1/event-types", key);
      assertThat(types.body())
          .as("the demo's event types are in the catalogue")
          .contains(
              "\"name\":\"customer.updated\"",
              "\"name\":\"order.created\"",
              "\"name\":\"order.paid\"");
      HttpResponse<String> page = get(http, admin + "/", null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Flintn Webhooks");
      HttpResponse<String> health = get(http, "http://localhost:" + metricsPort + "/health", null);
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
      assertThat(health.body()).contains("\"kafka\":{\"status\":\"up\"");
      HttpResponse<String> metrics =
          get(http, "http://localhost:" + metricsPort + "/metrics", null);
      assertThat(metrics.body())
          .contains("webhook_deliveries_total{outcome=\"delivered\",status_class=\"2xx\"} 3.0");
      assertThat(first.lines)
          .anyMatch(l -> l.contains("X-Signature-Primary valid, webhook-signature valid"));
      assertThat(first.lines).noneMatch(l -> l.contains("INVALID"));
      System.out.println(
          "standalone --demo ready in "
              + first.readySeconds()
              + " s (JVM start to dispatcher running)");
    } finally {
      first.stop();
    }
    assertThat(first.process.exitValue()).isIn(0, 143);

    Run second = start(port, adminPort, metricsPort);
    try {
      second.awaitLine("3 of 3 sample events delivered and verified", Duration.ofSeconds(120));
      System.out.println("standalone --demo restart ready in " + second.readySeconds() + " s");
    } finally {
      second.stop();
    }
    // The second run reused the formatted data directory: the events of both runs are in one log.
    try (var files = Files.walk(dataDir.resolve("kafka"))) {
      assertThat(files.anyMatch(p -> p.getFileName().toString().equals("meta.properties")))
          .isTrue();
    }
    assertThat(second.lines).noneMatch(l -> l.contains("bootstrap record"));
  }

  private Run start(int port, int adminPort, int metricsPort) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(ROOT.resolve("bin/flintn-webhooks").toString(), "standalone", "--demo")
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    pb.environment().put("FLINTN_STANDALONE_DATA_DIR", dataDir.toString());
    pb.environment().put("FLINTN_STANDALONE_KAFKA_PORT", String.valueOf(port));
    pb.environment().put("FLINTN_ADMIN_PORT", String.valueOf(adminPort));
    pb.environment().put("FLINTN_METRICS_PORT", String.valueOf(metricsPort));
    return new Run(pb.start());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static final class Run {
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Run(Process process) {
      this.process = process;
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                    System.out.println("[standalone] " + line);
                  }
                } catch (IOException ignored) {
                  // the process ended
                }
              });
    }

    void awaitLine(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (lines.stream().anyMatch(l -> l.contains(text))) {
          return;
        }
        if (!process.isAlive()) {
          throw new AssertionError(
              "standalone exited with " + process.exitValue() + ":\n" + String.join("\n", lines));
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      throw new AssertionError(
          "no line '" + text + "' within " + timeout + ":\n" + String.join("\n", lines));
    }

    double readySeconds() {
      for (String l : lines) {
        Matcher m = READY.matcher(l);
        if (m.find()) {
          return Double.parseDouble(m.group(1));
        }
      }
      throw new AssertionError("no ready line");
    }

    void stop() throws InterruptedException {
      process.toHandle().descendants().forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("standalone did not stop within 60 s of SIGTERM");
      }
    }
  }

  /** A GET of {@code url}, with {@code key} as the bearer key unless it is null. */
  private static HttpResponse<String> get(HttpClient http, String url, String key)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
    if (key != null) {
      r.header("Authorization", "Bearer " + key);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }
}
