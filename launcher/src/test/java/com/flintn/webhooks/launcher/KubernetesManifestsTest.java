package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What {@code kubectl apply -k deploy/k8s} sends, rendered by {@code kubectl kustomize} (Debian's
 * kubernetes-client, which .ci/run installs) and checked against the schemas of current Kubernetes,
 * Strimzi and the Prometheus Operator ({@link KubernetesSchemas}), without a cluster.
 */
@Tag("process") // runs kubectl and Strimzi's CRD generator
class KubernetesManifestsTest {
  private static final Path K8S = KubernetesSchemas.ROOT.resolve("deploy/k8s");

  private static KubernetesSchemas schemas;
  private static List<JsonNode> rendered;

  @BeforeAll
  static void render() throws Exception {
    schemas = KubernetesSchemas.load();
    rendered = KubernetesSchemas.kustomize(K8S);
  }

  @Test
  void everyRenderedDocumentMatchesTheSchemaOfItsApi() {
    assertThat(rendered.stream().map(d -> d.path("kind").asText()))
        .contains(
            "Namespace",
            "ConfigMap",
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "PodMonitor",
            "KafkaTopic");
    List<String> problems = new ArrayList<>();
    for (JsonNode d : rendered) {
      problems.addAll(schemas.problems(d));
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theKustomizationNeverAppliesTheSecret() {
    // Applying a Secret here would replace the one the operator made, and its encryption key.
    assertThat(rendered)
        .noneMatch(d -> d.path("kind").asText().equals("Secret"))
        .noneMatch(d -> d.path("kind").asText().equals("SealedSecret"));
  }

  // The checks must be able to fail: each mistake below is one a cluster would refuse.

  @Test
  void aBuiltInKindWithAnUnknownFieldIsRefused() {
    ObjectNode d = copyOf("Deployment", "dispatcher");
    ((ObjectNode) d.get("spec")).put("replica", 3);
    assertThat(schemas.problems(d)).singleElement().asString().contains("replica");
  }

  @Test
  void aContainerWithoutItsRequiredNameIsRefused() {
    ObjectNode d = copyOf("Deployment", "admin");
    ((ObjectNode) d.at("/spec/template/spec/containers/0")).remove("name");
    assertThat(schemas.problems(d)).singleElement().asString().contains("name");
  }

  @Test
  void aWrongPrimitiveTypeIsRefused() {
    ObjectNode d = copyOf("NetworkPolicy", "dispatcher-egress-https");
    ((ObjectNode) d.at("/spec/egress/0/to/0/ipBlock")).putArray("cidr").add("0.0.0.0/0");
    assertThat(schemas.problems(d)).singleElement().asString().contains("cidr");
  }

  @Test
  void aGroupVersionThatNoLongerServesTheKindIsRefused() {
    ObjectNode d = copyOf("PodDisruptionBudget", "admin");
    d.put("apiVersion", "policy/v1beta1"); // removed in Kubernetes 1.25
    assertThat(schemas.problems(d)).singleElement().asString().contains("policy/v1beta1");
  }

  @Test
  void aKafkaTopicOfAnApiVersionStrimziNoLongerServesIsRefused() {
    ObjectNode d = copyOf("KafkaTopic", "webhooks-events");
    d.put("apiVersion", "kafka.strimzi.io/v1beta2");
    assertThat(schemas.problems(d))
        .singleElement()
        .asString()
        .contains("kafka.strimzi.io/v1beta2 is not served");
  }

  @Test
  void aKafkaTopicWithAnUnknownOrOutOfRangeFieldIsRefused() {
    ObjectNode unknown = copyOf("KafkaTopic", "webhooks-events");
    ((ObjectNode) unknown.get("spec")).put("replicationFactor", 3);
    assertThat(schemas.problems(unknown)).singleElement().asString().contains("replicationFactor");

    ObjectNode zero = copyOf("KafkaTopic", "webhooks-events");
    ((ObjectNode) zero.get("spec")).put("partitions", 0);
    assertThat(schemas.problems(zero)).singleElement().asString().contains("partitions");

    ObjectNode config = copyOf("KafkaTopic", "webhooks-events");
    ((ObjectNode) config.at("/spec/config")).put("any.topic.config", "1");
    assertThat(schemas.problems(config)).as("config keeps unknown fields").isEmpty();
  }

  @Test
  void aPodMonitorWithAnUnknownFieldIsRefused() {
    ObjectNode d = copyOf("PodMonitor", "flintn-webhooks");
    ((ObjectNode) d.at("/spec/podMetricsEndpoints/0"))
        .put("scrapeInterval", "15s"); // it is "interval"
    assertThat(schemas.problems(d)).singleElement().asString().contains("scrapeInterval");
  }

  @Test
  void aKindOfAnUnknownApiIsRefused() {
    ObjectNode d = copyOf("PodMonitor", "flintn-webhooks");
    d.put("apiVersion", "example.com/v1");
    assertThat(schemas.problems(d)).singleElement().asString().contains("no schema");
  }

  private static ObjectNode copyOf(String kind, String name) {
    return rendered.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> d.at("/metadata/name").asText().equals(name))
        .findFirst()
        .map(d -> (ObjectNode) d.deepCopy())
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " rendered"));
  }
}
