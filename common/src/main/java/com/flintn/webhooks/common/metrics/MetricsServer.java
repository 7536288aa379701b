package com.flintn.webhooks.common.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * {@code /metrics} (Prometheus text), {@code /health} (readiness: every check; JSON, 200 or 503)
 * and {@code /health/live} (liveness: only the checks a restart mends) of one process, on {@code
 * metrics.port}. A small JDK server: it answers scrapes and probes only, never customers.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Starts serving on {@code port} (0 picks one).
   *
   * @throws IOException if the port cannot be bound
   */
  public static MetricsServer start(int port, PrometheusMeterRegistry registry, Health health)
      throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(port), 64);
    s.createContext(
        "/metrics",
        x -> {
          if (!allowed(x)) {
            return;
          }
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          send(x, 200, "text/plain; version=0.0.4; charset=utf-8", body);
        });
    s.createContext("/health", x -> health(x, health.report()));
    s.createContext("/health/live", x -> health(x, health.liveness()));
    s.createContext(
        "/",
        x ->
            send(
                x,
                404,
                "text/plain",
                "see /metrics, /health and /health/live\n".getBytes(StandardCharsets.UTF_8)));
    s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    s.start();
    return new MetricsServer(s);
  }

  private static void health(HttpExchange x, Map<String, Health.Status> report) throws IOException {
    if (!allowed(x)) {
      return;
    }
    boolean up = report.values().stream().allMatch(Health.Status::healthy);
    ObjectNode o = Json.mapper().createObjectNode();
    o.put("status", up ? "up" : "down");
    ObjectNode checks = o.putObject("checks");
    report.forEach(
        (name, st) ->
            checks
                .putObject(name)
                .put("status", st.healthy() ? "up" : "down")
                .put("detail", st.detail()));
    send(x, up ? 200 : 503, "application/json", Json.bytes(o));
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static boolean allowed(HttpExchange x) throws IOException {
    String m = x.getRequestMethod();
    if (m.equals("GET") || m.equals("HEAD")) {
      return true;
    }
    send(x, 405, "text/plain", "GET only\n".getBytes(StandardCharsets.UTF_8));
    return false;
  }

  private static void send(HttpExchange x, int status, String type, byte[] body)
      throws IOException {
    try (x) {
      x.getResponseHeaders().set("Content-Type", type);
      x.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = x.getRequestMethod().equals("HEAD");
      x.sendResponseHeaders(status, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = x.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
