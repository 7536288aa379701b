package com.flintn.webhooks.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.admin.deliveries.DeliverySearch;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.testkit.TopicCatalogs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/deliveries} before its index has loaded: bad parameters are a 400 naming the
 * parameter, and a good search is a 503 that says the index is loading, never a partial answer.
 */
class DeliveryApiTest {
  private static final String KEY = "test-key-deliveries-0123456789";
  private static DeliverySearch search;
  private static AdminServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    KafkaConfig kafka = new KafkaConfig("127.0.0.1:1"); // never started: the index stays loading
    TopicCatalog topics = TopicCatalogs.withDefaultTiers("x");
    search = new DeliverySearch(kafka, topics.attempts(), 1000, Clock.systemUTC());
    WebhookApi api = WithoutStores.webhookApi(kafka, topics, Clock.systemUTC(), search);
    server =
        new AdminServer(
            0,
            ApiKeys.of(List.of(KEY), List.of(AccountId.of("acc_a"))),
            api,
            () -> new AdminServer.HealthReport(true, Map.of()),
            new SimpleMeterRegistry());
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
    search.close();
  }

  @Test
  void whileTheIndexLoadsASearchIsA503WithItsProgressAndRetryAfter() throws Exception {
    HttpResponse<String> r = get("event_id=evt_1");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).contains("5");
    JsonNode e = Json.mapper().readTree(r.body()).get("error");
    assertThat(e.get("code").asText()).isEqualTo("unavailable");
    assertThat(e.get("message").asText())
        .startsWith("delivery search is loading the attempt log: ")
        .contains("retry shortly");
  }

  @Test
  void badParametersAreA400NamingTheParameter() throws Exception {
    assertBad("status=broken", "status: 'broken' is not a status; use delivered, failing,");
    assertBad("event_id=evt%20x", "event_id: event id must be 1-128 letters");
    assertBad("event_type=Not%20A%20Type", "event_type: 'Not A Type' is not a dotted name");
    assertBad("endpoint_id=ep%2Fx", "endpoint_id: endpoint id must be");
    assertBad("since=yesterday", "since: 'yesterday' is not a time");
    assertBad("since=2h&until=3h", "since must be before until");
    assertBad("limit=0", "limit must be a whole number from 1 to 100");
    assertBad("limit=many", "limit must be a whole number from 1 to 100");
    assertBad("cursor=abc", "cursor is not a cursor this API returned");
    assertBad("event-id=evt_1", "unknown parameter 'event-id'; the parameters are event_id,");
  }

  @Test
  void withoutAKeyItIs401() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/deliveries"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  private static void assertBad(String query, String message) throws Exception {
    HttpResponse<String> r = get(query);
    assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
    assertThat(Json.mapper().readTree(r.body()).at("/error/message").asText())
        .as(query)
        .startsWith(message);
  }

  private static HttpResponse<String> get(String query) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v1/deliveries?" + query))
            .header("Authorization", "Bearer " + KEY)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
