package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The three processes as their commands wire them (dispatcher; retry scheduler with the
 * endpoint-state app; admin), each with its own registry and {@code /metrics} + {@code /health}
 * server, under traffic that produces every kind of outcome. Each live scrape passes {@code
 * promtool check metrics}, and every metric the Grafana dashboard and the alert rules read exists
 * in them, so neither can drift from the code.
 */
@Tag("broker")
class ObservabilityTest {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();
  private static final String KEY = "observability-test-key-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void liveScrapesPassPromtoolAndCoverTheDashboardAndAlerts() throws Exception {
    Clock clock = Clock.systemUTC();
    try (HttpsReceiver receiver = new HttpsReceiver();
        TestEnvironment env =
            TestEnvironment.create(
                "observability",
                2,
                Optional.of(receiver),
                Map.of(
                    ConfigKey.METRICS_PORT, "0",
                    ConfigKey.ADMIN_PORT, "0",
                    ConfigKey.RETRY_TIERS, "200ms,400ms,800ms,1600ms"))) {
      receiver.respondWith(
          r ->
              new MockResponse.Builder()
                  .code(
                      r.path().startsWith("/fail") ? 503 : r.path().startsWith("/gone") ? 410 : 200)
                  .build());
      try (ProcessMetrics dm = ProcessMetrics.start(env.config(), clock);
          ProcessMetrics sm = ProcessMetrics.start(env.config(), clock);
          ProcessMetrics am = ProcessMetrics.start(env.config(), clock)) {
        EndpointStateApp state = new EndpointStateApp(env.config(), sm.registry);
        RetrySchedulerApp scheduler = new RetrySchedulerApp(env.config(), clock, sm.registry);
        state.addHealthChecks(sm.health);
        scheduler.addHealthChecks(sm.health);
        state.start();
        scheduler.start();
        DispatcherApp dispatcher = new DispatcherApp(env.config(), clock, dm.registry);
        dispatcher.addHealthChecks(dm.health);
        dispatcher.start();
        AdminApp admin =
            AdminRunner.start(
                env.config(),
                ApiKeys.of(List.of(KEY), List.of(AccountId.of("acc_obs"))),
                clock,
                am);
        try {
          String ok = create(admin, receiver.url("/ok"));
          String fail = create(admin, receiver.url("/fail"));
          String gone = create(admin, receiver.url("/gone"));
          for (String id : List.of(ok, fail, gone)) {
            post(admin, "/v1/webhooks/" + id + "/test");
          }
          env.send(env.topics().events().name(), "acc_obs".getBytes(), "not json".getBytes());

          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      value(
                              scrape(sm),
                              "webhook_endpoints_disabled_total{reason=\"attempts_exhausted\"}")
                          >= 1);
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () ->
                      value(scrape(dm), "webhook_events_invalid_total{reason=\"not_json\"}") >= 1);

          Set<String> names = new TreeSet<>(Set.of("up")); // Prometheus's own
          for (ProcessMetrics pm : List.of(dm, sm, am)) {
            String text = scrape(pm);
            Promtool.Result check = Promtool.run(text, "check", "metrics");
            assertThat(check.status()).as(check.output()).isZero();
            assertThat(check.output()).as("promtool lint").isBlank();
            names.addAll(names(text));
          }
          String d = scrape(dm);
          assertThat(
                  value(d, "webhook_deliveries_total{outcome=\"delivered\",status_class=\"2xx\"}"))
              .isGreaterThanOrEqualTo(1);
          assertThat(value(d, "webhook_dlq_writes_total{reason=\"client_error\"}")).isEqualTo(1);
          assertThat(value(d, "webhook_dlq_writes_total{reason=\"attempts_exhausted\"}"))
              .isEqualTo(1);
          assertThat(value(d, "webhook_retries_scheduled_total{tier=\"200ms\"}")).isEqualTo(1);
          assertThat(value(scrape(sm), "webhook_retries_moved_total{tier=\"1600ms\"}"))
              .isEqualTo(1);
          assertThat(scrape(am))
              .contains(
                  "webhook_admin_requests_seconds_count{method=\"POST\",route=\"/v1/webhooks\",status=\"201\"}");

          Set<String> used = new TreeSet<>();
          JsonNode dashboard =
              Json.mapper()
                  .readTree(
                      ROOT.resolve("deploy/grafana/dashboards/flintn-webhooks.json").toFile());
          for (JsonNode expr : dashboard.findValues("expr")) {
            used.addAll(PromQl.metricNames(expr.asText()));
          }
          assertThat(used).as("metrics the dashboard reads").hasSizeGreaterThan(10);
          Set<String> alerting = new TreeSet<>();
          JsonNode rules =
              new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
                  .readTree(ROOT.resolve("deploy/prometheus/alerts.yml").toFile());
          for (JsonNode expr : rules.findValues("expr")) {
            alerting.addAll(PromQl.metricNames(expr.asText()));
          }
          assertThat(alerting).as("metrics the alerts read").hasSizeGreaterThan(5);
          Set<String> missing = new TreeSet<>(used);
          missing.addAll(alerting);
          missing.removeAll(names);
          assertThat(missing).as("read by the dashboard or alerts but not exported").isEmpty();

          JsonNode health = Json.mapper().readTree(get(sm.port(), "/health").body());
          assertThat(health.get("status").asText()).isEqualTo("up");
          assertThat(health.get("checks").fieldNames())
              .toIterable()
              .contains("kafka", "endpoint_state", "retry_scheduler");
          HttpResponse<String> live = get(sm.port(), "/health/live");
          assertThat(live.statusCode()).isEqualTo(200);
          assertThat(Json.mapper().readTree(live.body()).get("checks").fieldNames())
              .toIterable()
              .as("liveness leaves Kafka out: a restart does not bring it back")
              .containsExactlyInAnyOrder("endpoint_state_alive", "retry_scheduler");
          dispatcher.close();
          HttpResponse<String> down = get(dm.port(), "/health");
          assertThat(down.statusCode()).isEqualTo(503);
          assertThat(down.body()).contains("\"dispatcher_consumer\":{\"status\":\"down\"");
          assertThat(get(dm.port(), "/health/live").statusCode())
              .as("a dead poll loop is a reason to restart")
              .isEqualTo(503);
        } finally {
          admin.close();
          dispatcher.close();
          scheduler.close();
          state.close();
        }
      }
    }
  }

  private String create(AdminApp admin, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/v1/webhooks"))
                .header("Authorization", "Bearer " + KEY)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"obs\",\"url\":\"" + url + "\",\"event_types\":[\"*\"]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Json.mapper().readTree(r.body()).get("id").asText();
  }

  private void post(AdminApp admin, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private String scrape(ProcessMetrics pm) throws Exception {
    HttpResponse<String> r = get(pm.port(), "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    return r.body();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Metric family names of a scrape, with histogram and summary suffixes as series names. */
  private static Set<String> names(String text) {
    Set<String> out = new HashSet<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int end = line.indexOf('{');
        out.add((end > 0 ? line.substring(0, end) : line.split(" ")[0]).strip());
      }
    }
    return out;
  }

  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).strip());
      }
    }
    return Double.NaN;
  }
}
