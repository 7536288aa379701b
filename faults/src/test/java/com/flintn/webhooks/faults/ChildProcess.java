package com.flintn.webhooks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One product process ({@code java -jar flintn-webhooks.jar <command>}) started from the built
 * distribution, as an operator would run it. Its output is appended to {@code
 * target/process-logs/<name>.log}, which the build's secrets scan reads too.
 */
final class ChildProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final List<String> command;
  private final Path configFile;
  private final int metricsPort;
  private final Path log;
  private Process process;
  private int starts;

  ChildProcess(String name, Path configFile, int metricsPort, String... commandArgs) {
    this.name = name;
    this.configFile = configFile;
    this.metricsPort = metricsPort;
    this.log = FaultRig.TARGET.resolve("process-logs").resolve(name + ".log");
    List<String> c = new ArrayList<>();
    c.add(ProcessHandle.current().info().command().orElse("java"));
    c.add("-Xmx384m");
    // Group membership changes are what these tests provoke: keep the coordinator's account.
    c.add(
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer.internals.ConsumerCoordinator=info");
    c.add("-jar");
    c.add(FaultRig.ROOT.resolve("launcher/target/flintn-webhooks.jar").toString());
    c.addAll(List.of(commandArgs));
    c.add("--config");
    c.add(configFile.toString());
    this.command = List.copyOf(c);
  }

  String name() {
    return name;
  }

  synchronized void start() {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          "---- start " + (++starts) + ": " + String.join(" ", command) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("FLINTN_METRICS_PORT", String.valueOf(metricsPort));
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or committed. */
  synchronized void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the process leaves its groups and commits what it finished. */
  synchronized void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError(name + " did not stop within 60 s of SIGTERM");
    }
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** The exit status of the last run; the process must have ended. */
  synchronized int exitValue() {
    return process.exitValue();
  }

  /** What the process wrote since its last start. */
  String logOfLastStart() {
    try {
      String all = Files.readString(log);
      int at = all.lastIndexOf("---- start " + starts + ":");
      return at < 0 ? all : all.substring(at);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() throws InterruptedException {
    try {
      HttpResponse<String> r = get("/metrics", Duration.ofSeconds(5));
      if (r.statusCode() != 200) {
        throw new AssertionError(name + " /metrics answered " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new UncheckedIOException(name + " /metrics", e);
    }
  }

  /** The value of the unlabelled (or only) sample named {@code sample} in {@link #metrics()}. */
  double metric(String sample) throws InterruptedException {
    return metric(sample, "");
  }

  /** The value of the first sample named {@code sample} whose labels contain {@code label}. */
  double metric(String sample, String label) throws InterruptedException {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(sample)
                    + (label.isEmpty()
                        ? "(?:\\{[^}]*\\})?"
                        : "\\{[^}]*" + Pattern.quote(label) + "[^}]*\\}")
                    + " (\\S+)$")
            .matcher(metrics());
    if (!m.find()) {
      throw new AssertionError(name + " /metrics has no " + sample + " " + label);
    }
    return Double.parseDouble(m.group(1));
  }

  /** Waits until {@code /health} answers 200; returns how long that took. */
  Duration awaitHealthy(Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!alive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log);
      }
      try {
        HttpResponse<String> r = get("/health", Duration.ofSeconds(2));
        if (r.statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " not healthy within " + timeout + ": " + last);
  }

  /** A GET of {@code path} on the process's metrics port. */
  private HttpResponse<String> get(String path, Duration timeout)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
            .timeout(timeout)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public synchronized void close() {
    if (alive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the process is already told to stop
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
