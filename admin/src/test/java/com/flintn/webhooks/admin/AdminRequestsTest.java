package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.admin.AdminFixture.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every refusal of the admin API: its status, its code, and a message that says what to fix. */
@Tag("broker")
class AdminRequestsTest extends SharedAdminFixture {
  @Test
  void missingOrWrongKeysAre401WithAChallenge() throws Exception {
    Answer none = f.call("GET", "/v1/webhooks", null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.errorCode()).isEqualTo("unauthorized");
    assertThat(none.errorMessage()).contains("Authorization: Bearer");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    Answer wrong = f.call("GET", "/v1/webhooks", "not-a-key-of-ours-0123456789", null);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.errorMessage()).isEqualTo("the API key is not valid");
    assertThat(f.call("POST", "/v1/webhooks", null, "{\"name\":\"x\"}").status())
        .as("writes too")
        .isEqualTo(401);
  }

  @Test
  void basicAuthIsNotABearerKey() throws Exception {
    var r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(f.base() + "/v1/webhooks"))
                    .header("Authorization", "Basic dXNlcjpwYXNz")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("Bearer <api key>");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http:// is refused          | http://example.com/hook      | must use https://",
        "ftp is refused              | ftp://example.com/hook       | only https://",
        "private address             | https://10.1.2.3/hook        | private",
        "link-local metadata         | https://169.254.169.254/x    | link-local",
        "loopback not allowed here   | https://127.0.0.2/hook       | loopback",
        "decimal IPv4 form           | https://2130706433/hook      | four decimal numbers",
        "octal IPv4 form             | https://0177.0.0.1/hook      | four decimal numbers",
        "hex IPv4 form               | https://0x7f.0.0.1/hook      | refused",
        "hex IPv4 single number      | https://0x7f000001/hook      | four decimal numbers",
        "IPv4-mapped IPv6            | https://[::ffff:10.0.0.1]/x  | private",
        "unspecified IPv6            | https://[::]/hook            | unspecified",
        "user info                   | https://u:p@example.com/h    | user info",
        "not a URL                   | https://exa mple.com/        | not a valid URL",
      })
  void unsafeOrNonHttpsUrlsAre422(String why, String url, String message) throws Exception {
    Answer a = f.create(KEY_A, "x", url, "order.created");
    assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
    assertThat(a.errorCode()).isEqualTo("validation_failed");
    assertThat(a.errorMessage()).contains(message);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"]}|name is required",
        "{\"name\":\"\",\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"]}|name must be 1 to 100",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[]}|non-empty list",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":\"a.b\"}|non-empty list",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[\"Bad Type!\"]}|not a dotted name",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[\"*\",\"a.b\"]}|send it alone",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[1]}|must hold strings",
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"],\"secret\":\"whsec_x\"}|unknown field 'secret'",
        "{\"name\":7,\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"]}|name must be a string",
        "{\"name\":\"a\\u0000b\",\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"]}|control characters",
      })
  void invalidFieldsAre422NamingTheField(String caseText) throws Exception {
    String[] parts = caseText.split("\\|");
    Answer a = f.call("POST", "/v1/webhooks", KEY_A, parts[0]);
    assertThat(a.status()).as(a.raw().body()).isEqualTo(422);
    assertThat(a.errorMessage()).contains(parts[1]);
  }

  @Test
  void nameOfOneHundredCharactersIsTheLimit() throws Exception {
    String url = f.receiver.url("/names");
    assertThat(f.create(KEY_A, "n".repeat(100), url, "a.b").status()).isEqualTo(201);
    Answer tooLong = f.create(KEY_A, "n".repeat(101), url, "a.b");
    assertThat(tooLong.status()).isEqualTo(422);
    assertThat(tooLong.errorMessage()).contains("1 to 100");
  }

  @Test
  void malformedBodiesAre400() throws Exception {
    Answer notJson = f.call("POST", "/v1/webhooks", KEY_A, "{\"name\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.errorCode()).isEqualTo("bad_request");
    assertThat(notJson.errorMessage()).contains("not valid JSON");
    assertThat(f.call("POST", "/v1/webhooks", KEY_A, "[1,2]").errorMessage())
        .contains("JSON object");
    assertThat(f.call("POST", "/v1/webhooks", KEY_A, null).status()).isEqualTo(400);
    Answer deep =
        f.call(
            "POST", "/v1/webhooks", KEY_A, "{\"name\":" + "[".repeat(300) + "]".repeat(300) + "}");
    assertThat(deep.status()).as("nesting past the parser's limit").isEqualTo(400);
    assertThat(deep.errorMessage()).contains("too deeply nested");
    Answer longNumber =
        f.call("POST", "/v1/webhooks", KEY_A, "{\"name\":" + "1".repeat(2000) + "}");
    assertThat(longNumber.status()).isIn(400, 422);
  }

  @Test
  void bodiesOver64KiBAre413() throws Exception {
    String big =
        "{\"name\":\"x\",\"url\":\"https://example.com/h\",\"event_types\":[\"a.b\"],\"pad\":\""
            + "p".repeat(70 * 1024)
            + "\"}";
    Answer a = f.call("POST", "/v1/webhooks", KEY_A, big);
    assertThat(a.status()).isEqualTo(413);
    assertThat(a.errorCode()).isEqualTo("payload_too_large");
    assertThat(a.errorMessage()).contains("64 KiB");
  }

  @Test
  void patchChecksWhatItChanges() throws Exception {
    String id = f.create(KEY_A, "Patch me", f.receiver.url("/p"), "a.b").body().get("id").asText();
    assertThat(f.call("PATCH", "/v1/webhooks/" + id, KEY_A, "{}").errorMessage())
        .contains("nothing to change");
    Answer http = f.call("PATCH", "/v1/webhooks/" + id, KEY_A, "{\"url\":\"http://example.com\"}");
    assertThat(http.status()).isEqualTo(422);
    assertThat(http.errorMessage()).contains("https://");
    assertThat(f.call("PATCH", "/v1/webhooks/" + id, KEY_A, "{\"name\":null}").status())
        .isEqualTo(422);
    assertThat(f.call("GET", "/v1/webhooks/" + id, KEY_A, null).body().get("url").asText())
        .as("nothing was changed by the refused requests")
        .isEqualTo(f.receiver.url("/p"));
  }

  @Test
  void oversizedHeadersAndUrisAre4xxNotAHang() throws Exception {
    var http = HttpClient.newHttpClient();
    var header =
        http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/webhooks"))
                .header("Authorization", "Bearer " + KEY_A)
                .header("X-Padding", "x".repeat(64 * 1024))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(header.statusCode()).isEqualTo(431);
    var uri =
        http.send(
            HttpRequest.newBuilder(URI.create(f.base() + "/v1/webhooks/" + "e".repeat(64 * 1024)))
                .header("Authorization", "Bearer " + KEY_A)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(uri.statusCode()).isIn(414, 431);
  }

  @Test
  void servesTheOpenApiDocumentAndTheDashboardWithoutAKey() throws Exception {
    Answer doc = f.call("GET", "/openapi.json", null, null);
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body().get("openapi").asText()).startsWith("3.1");
    assertThat(doc.body().get("paths").has("/v1/webhooks/{id}/dead-letters/replay")).isTrue();
    Answer page = f.call("GET", "/", null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.raw().body()).contains("<title>");
    assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
    assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
  }

  @Test
  void unknownRoutesAndMethodsAnswerInTheErrorFormat() throws Exception {
    Answer route = f.call("GET", "/v1/nothing-here", KEY_A, null);
    assertThat(route.status()).isEqualTo(404);
    assertThat(route.errorCode()).isEqualTo("not_found");
    Answer method = f.call("DELETE", "/v1/webhooks", KEY_A, null);
    assertThat(method.status()).isEqualTo(405);
    assertThat(method.errorCode()).isEqualTo("method_not_allowed");
    Answer limit = f.call("GET", "/v1/webhooks/ep_x/attempts?limit=0", KEY_A, null);
    assertThat(limit.status()).isIn(400, 404);
  }
}
