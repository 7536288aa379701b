package com.flintn.webhooks.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import mockwebserver3.MockResponse;

/**
 * The admin API on the real broker with what stands behind it: the endpoint-state app that applies
 * changes and a dispatcher that delivers test events to a real HTTPS receiver. Two accounts, each
 * with its own key.
 */
final class AdminFixture implements AutoCloseable {
  static final String KEY_A = "test-key-account-a-0123456789";
  static final String KEY_B = "test-key-account-b-0123456789";
  static final AccountId ACCOUNT_A = AccountId.of("acc_a");
  static final AccountId ACCOUNT_B = AccountId.of("acc_b");

  final HttpsReceiver receiver = new HttpsReceiver();
  final TestEnvironment env;
  final EndpointStateApp state;
  final DispatcherApp dispatcher;
  final AdminApp admin;
  private final HttpClient http = HttpClient.newHttpClient();

  /** A parsed answer. */
  record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String errorCode() {
      return body.path("error").path("code").asText(null);
    }

    String errorMessage() {
      return body.path("error").path("message").asText(null);
    }
  }

  AdminFixture(String name) throws Exception {
    this(name, Map.of());
  }

  /** With configuration {@code overrides} on top of the test defaults (which allow 127.0.0.1). */
  AdminFixture(String name, Map<ConfigKey, String> overrides) throws Exception {
    this(name, overrides, Clock.systemUTC());
  }

  /** With the admin API's time read from {@code adminClock} (the other apps use the real one). */
  AdminFixture(String name, Map<ConfigKey, String> overrides, Clock adminClock) throws Exception {
    Map<ConfigKey, String> config = new EnumMap<>(ConfigKey.class);
    config.put(ConfigKey.ADMIN_PORT, "0");
    config.putAll(overrides);
    env = TestEnvironment.create(name, 2, Optional.of(receiver), config);
    state = new EndpointStateApp(env.config());
    state.start();
    dispatcher = new DispatcherApp(env.config(), Clock.systemUTC());
    dispatcher.start();
    admin =
        new AdminApp(
            env.config(),
            ApiKeys.of(List.of(KEY_A, KEY_B), List.of(ACCOUNT_A, ACCOUNT_B)),
            adminClock);
    admin.start();
  }

  /**
   * Makes the receiver answer requests to paths under {@code prefix} with {@code status}, and every
   * other one with a 200. The test sets the returned status to mend those endpoints.
   */
  AtomicInteger answerUnder(String prefix, int status) {
    AtomicInteger answer = new AtomicInteger(status);
    receiver.respondWith(
        r ->
            new MockResponse.Builder()
                .code(r.path().startsWith(prefix) ? answer.get() : 200)
                .build());
    return answer;
  }

  String base() {
    return "http://127.0.0.1:" + admin.port();
  }

  Answer call(String method, String path, String key, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json =
        r.body().isEmpty() || !r.headers().firstValue("Content-Type").orElse("").contains("json")
            ? Json.mapper().missingNode()
            : Json.mapper().readTree(r.body());
    return new Answer(r.statusCode(), json, r);
  }

  /**
   * Waits, at most 30 seconds, until the body {@code GET path} answers with {@code key} passes
   * {@code test}.
   */
  void awaitGet(String path, String key, Predicate<JsonNode> test) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> test.test(call("GET", path, key, null).body()));
  }

  Answer create(String key, String name, String url, String... types) throws Exception {
    StringBuilder t = new StringBuilder();
    for (String type : types) {
      t.append(t.isEmpty() ? "" : ",").append('"').append(type).append('"');
    }
    return call(
        "POST",
        "/v1/webhooks",
        key,
        "{\"name\":\"" + name + "\",\"url\":\"" + url + "\",\"event_types\":[" + t + "]}");
  }

  /** Creates an endpoint as {@link #create} does, checks it was created, and returns its id. */
  String createdId(String key, String name, String url, String... types) throws Exception {
    Answer created = create(key, name, url, types);
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    return created.body().get("id").asText();
  }

  @Override
  public void close() {
    admin.close();
    dispatcher.close();
    state.close();
    env.close();
    receiver.close();
  }
}
