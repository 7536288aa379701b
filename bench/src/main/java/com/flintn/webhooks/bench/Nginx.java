package com.flintn.webhooks.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.tls.HeldCertificate;

/**
 * One nginx worker answering every POST with 200 over TLS, with a plain status port whose {@code
 * stub_status} counts the requests (benchmark P8).
 */
final class Nginx implements AutoCloseable {
  /**
   * Whether nginx offers HTTP/2 besides HTTP/1.1, as most receivers' front ends do; {@code
   * -Dflintn.bench.nginx-http2=false} makes it an HTTP/1.1-only receiver.
   */
  static final boolean HTTP2 =
      Boolean.parseBoolean(System.getProperty("flintn.bench.nginx-http2", "true"));

  final Path certificate;
  private final Process process;
  private final int tlsPort;
  private final int statusPort;
  private final HttpClient http = HttpClient.newHttpClient();
  private long polls;

  private Nginx(Path certificate, Process process, int tlsPort, int statusPort) {
    this.certificate = certificate;
    this.process = process;
    this.tlsPort = tlsPort;
    this.statusPort = statusPort;
  }

  static Nginx start(Path nginx, Path dir) throws Exception {
    HeldCertificate cert =
        new HeldCertificate.Builder()
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .duration(1, TimeUnit.DAYS)
            .build();
    Path certFile = dir.resolve("cert.pem");
    Path keyFile = dir.resolve("key.pem");
    Files.writeString(certFile, cert.certificatePem());
    Files.writeString(keyFile, cert.privateKeyPkcs8Pem());
    int tls = freePort();
    int status = freePort();
    String conf =
        String.join(
            "\n",
            "worker_processes 1;",
            "master_process off;",
            "daemon off;",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("error.log") + " warn;",
            "events { worker_connections 4096; }",
            "http {",
            "  access_log off;",
            "  client_body_temp_path " + dir.resolve("body") + ";",
            "  keepalive_requests 1000000;",
            "  server {",
            "    listen 127.0.0.1:" + tls + (HTTP2 ? " ssl http2;" : " ssl;"),
            "    ssl_certificate " + certFile + ";",
            "    ssl_certificate_key " + keyFile + ";",
            "    location / { return 200; }",
            "  }",
            "  server {",
            "    listen 127.0.0.1:" + status + ";",
            "    location = /status { stub_status; }",
            "  }",
            "}",
            "");
    Path confFile = dir.resolve("nginx.conf");
    Files.writeString(confFile, conf);
    Process p =
        new ProcessBuilder(nginx.toString(), "-c", confFile.toString(), "-p", dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    Nginx n = new Nginx(certFile, p, tls, status);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        n.requests();
        return n;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException(
              "P8: nginx did not start: " + Files.readString(dir.resolve("nginx.out")));
        }
        Thread.sleep(50);
      }
    }
  }

  String url(String path) {
    return "https://127.0.0.1:" + tlsPort + path;
  }

  /** Requests nginx has answered, less this class's own status requests. */
  long requests() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/status"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    polls++;
    // "server accepts handled requests\n A H R"
    String[] lines = r.body().split("\n", -1);
    String[] counts = lines[2].trim().split("\\s+", -1);
    return Long.parseLong(counts[2]) - polls;
  }

  long cpuNanos() {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
