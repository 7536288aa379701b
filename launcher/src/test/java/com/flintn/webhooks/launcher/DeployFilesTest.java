package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files in {@code deploy/} checked against the code, since no Docker engine or cluster runs
 * here: alert rules pass their promtool unit tests, compose and Kubernetes files parse and refer
 * only to files and configuration keys that exist, and the Strimzi topics are the catalogue's.
 */
class DeployFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern ENV = Pattern.compile("FLINTN_[A-Z0-9_]+");

  @Test
  void alertRulesPassTheirUnitTestsAndTheScrapeConfigIsValid() throws Exception {
    Promtool.Result tests =
        Promtool.run(
            null, "test", "rules", DEPLOY.resolve("prometheus/tests/alerts_test.yml").toString());
    assertThat(tests.status()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("SUCCESS");
    Promtool.Result rules =
        Promtool.run(null, "check", "rules", DEPLOY.resolve("prometheus/alerts.yml").toString());
    assertThat(rules.status()).as(rules.output()).isZero();
    Promtool.Result config =
        Promtool.run(
            null, "check", "config", DEPLOY.resolve("prometheus/prometheus.yml").toString());
    assertThat(config.status()).as(config.output()).isZero();
  }

  @Test
  void everyAlertHasASummaryARunbookAndASeverity() throws Exception {
    JsonNode doc = YAML.readTree(DEPLOY.resolve("prometheus/alerts.yml").toFile());
    List<JsonNode> alerts = new ArrayList<>();
    doc.get("groups").forEach(g -> g.get("rules").forEach(alerts::add));
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(6);
    for (JsonNode a : alerts) {
      String name = a.path("alert").asText();
      assertThat(a.path("annotations").path("summary").asText()).as(name).isNotBlank();
      assertThat(a.path("annotations").path("runbook").asText()).as(name).isNotBlank();
      assertThat(a.path("labels").path("severity").asText()).as(name).isIn("warning", "critical");
    }
  }

  @Test
  void composeStartsEveryServiceFromFilesThatExist() throws Exception {
    Path dir = DEPLOY.resolve("compose");
    JsonNode compose = YAML.readTree(dir.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.get("services");
    assertThat(services.fieldNames())
        .toIterable()
        .contains(
            "kafka",
            "topics",
            "dispatcher-1",
            "dispatcher-2",
            "retry-scheduler",
            "admin",
            "prometheus",
            "grafana");
    for (JsonNode service : services) {
      JsonNode build = service.path("build");
      if (!build.isMissingNode()) {
        Path context = dir.resolve(build.path("context").asText(".")).normalize();
        assertThat(context.resolve(build.path("dockerfile").asText("Dockerfile"))).exists();
      }
      for (JsonNode volume : service.path("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith(".")) {
          assertThat(dir.resolve(source).normalize()).as(volume.asText()).exists();
        }
      }
    }
    assertThat(dir.resolve(".env.example")).exists();
  }

  @Test
  void deployFilesUseOnlyConfigurationKeysThatExist() throws Exception {
    Set<String> known =
        Stream.of(ConfigKey.values())
            .map(ConfigKey::environmentVariable)
            .collect(Collectors.toSet());
    Set<String> used = new TreeSet<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> all = Files.walk(DEPLOY)) {
      all.filter(Files::isRegularFile).forEach(files::add);
    }
    files.add(ROOT.resolve("Dockerfile"));
    for (Path f : files) {
      Matcher m = ENV.matcher(Files.readString(f));
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(used).as("FLINTN_ variables in deploy/").isNotEmpty();
    assertThat(used).isSubsetOf(known);
  }

  @Test
  void kubernetesManifestsParseAndProbeHealth() throws Exception {
    List<JsonNode> docs = k8s();
    Map<String, JsonNode> deployments = new HashMap<>();
    for (JsonNode d : docs) {
      if (d.path("kind").asText().equals("Deployment")) {
        deployments.put(d.path("metadata").path("name").asText(), d);
      }
    }
    assertThat(deployments.keySet()).contains("dispatcher", "retry-scheduler", "admin");
    for (JsonNode d : deployments.values()) {
      JsonNode container = d.at("/spec/template/spec/containers/0");
      String name = d.path("metadata").path("name").asText();
      assertThat(container.at("/readinessProbe/httpGet/path").asText())
          .as(name)
          .isEqualTo("/health");
      assertThat(container.at("/livenessProbe/httpGet/path").asText())
          .as(name + ": a Kafka outage must not restart every pod")
          .isEqualTo("/health/live");
    }
    assertThat(docs.stream().map(d -> d.path("kind").asText()))
        .contains("PodDisruptionBudget", "ConfigMap", "Secret", "Service", "PodMonitor");
  }

  @Test
  void strimziTopicsAreTheCatalogue() throws Exception {
    FlintnConfig defaults =
        FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), Map.of()));
    TopicCatalog catalogue = defaults.topicCatalog();
    Map<String, JsonNode> declared = new HashMap<>();
    for (JsonNode d : k8s()) {
      if (d.path("kind").asText().equals("KafkaTopic")) {
        declared.put(d.at("/spec/topicName").asText(), d.get("spec"));
      }
    }
    assertThat(declared.keySet())
        .containsExactlyInAnyOrderElementsOf(catalogue.all().stream().map(Topic::name).toList());
    for (Topic<?, ?> t : catalogue.all()) {
      JsonNode spec = declared.get(t.name());
      assertThat(spec.path("replicas").asInt())
          .as(t.name() + " replicas")
          .isEqualTo(defaults.topics().replicationFactor());
      for (Map.Entry<String, String> c :
          t.spec().configs(defaults.topics().replicationFactor()).entrySet()) {
        assertThat(spec.path("config").path(c.getKey()).asText())
            .as(t.name() + " " + c.getKey())
            .isEqualTo(c.getValue());
      }
      assertThat(spec.path("partitions").asInt()).isEqualTo(defaults.topics().partitions());
    }
  }

  private static List<JsonNode> k8s() throws Exception {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
          while (it.hasNext()) {
            JsonNode d = it.next();
            if (d != null && !d.isNull() && !d.isEmpty()) {
              docs.add(d);
            }
          }
        }
      }
    }
    return docs;
  }
}
