package com.flintn.webhooks.admin.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.testkit.TopicCatalogs;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code /openapi.json} describes exactly the routes the server registers. */
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "post", "patch", "put", "delete");

  @Test
  void everyRouteIsDescribedAndEveryDescribedOperationExists() throws Exception {
    JsonNode doc;
    try (InputStream in = getClass().getResourceAsStream("/openapi.json")) {
      doc = Json.mapper().readTree(in);
    }
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    Set<String> registered = new HashSet<>();
    for (WebhookApi.Route r :
        WithoutStores.webhookApi(
                new KafkaConfig("localhost:1"), TopicCatalogs.withDefaultTiers("x"), null, null)
            .routes()) {
      registered.add(r.method().name().toLowerCase(Locale.ROOT) + " " + r.path());
    }
    Set<String> described = new HashSet<>();
    for (Map.Entry<String, JsonNode> p : doc.get("paths").properties()) {
      for (Iterator<String> ops = p.getValue().fieldNames(); ops.hasNext(); ) {
        String method = ops.next();
        if (METHODS.contains(method)) {
          described.add(method + " " + p.getKey());
          JsonNode responses = p.getValue().get(method).get("responses");
          assertThat(responses.has("401"))
              .as(method + " " + p.getKey() + " documents 401")
              .isTrue();
          if (p.getKey().contains("{id}")) {
            assertThat(responses.has("404"))
                .as(method + " " + p.getKey() + " documents 404")
                .isTrue();
          }
        }
      }
    }
    assertThat(described).containsExactlyInAnyOrderElementsOf(registered);
  }

  @Test
  void everySchemaReferenceResolves() throws Exception {
    JsonNode doc;
    try (InputStream in = getClass().getResourceAsStream("/openapi.json")) {
      doc = Json.mapper().readTree(in);
    }
    for (JsonNode ref : doc.findValues("$ref")) {
      String pointer = ref.asText().substring(1);
      assertThat(doc.at(pointer).isMissingNode()).as(ref.asText()).isFalse();
    }
  }
}
