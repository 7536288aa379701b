package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
    Map<String, JsonNode> deployments = deployments();
    assertThat(deployments.keySet()).contains("dispatcher", "retry-scheduler", "admin");
    for (String name : List.of("dispatcher", "retry-scheduler")) {
      JsonNode container = deployments.get(name).at("/spec/template/spec/containers/0");
      assertThat(container.at("/readinessProbe/httpGet/path").asText())
          .as(name)
          .isEqualTo("/health");
      assertThat(container.at("/livenessProbe/httpGet/path").asText())
          .as(name + ": a Kafka outage must not restart every pod")
          .isEqualTo("/health/live");
    }
    assertThat(k8s().stream().map(d -> d.path("kind").asText()))
        .contains("PodDisruptionBudget", "ConfigMap", "Service", "PodMonitor", "NetworkPolicy");
  }

  @Test
  void theAdminIsProbedOnItsApiPort() throws Exception {
    // Its metrics port is another server: answering there says nothing about the API.
    JsonNode admin = deployments().get("admin").at("/spec/template/spec/containers/0");
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      assertThat(admin.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("http");
    }
    assertThat(admin.at("/ports").findValuesAsText("name")).contains("http");
    // /health of the API: 503 until its view of the endpoint table is loaded
    assertThat(admin.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health");
    // Served without Kafka or an API key (AdminRequestsTest): only a dead API server fails it,
    // and a Kafka outage does not restart the admins.
    assertThat(admin.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/openapi.json");
    assertThat(admin.at("/startupProbe/httpGet/path").asText()).isEqualTo("/openapi.json");
  }

  @Test
  void theOperatorsSecretIsNeverAppliedAndEveryPodNeedsIt() throws Exception {
    // A Secret in the kustomization would replace the operator's, and lose the encryption key.
    assertThat(k8s()).noneMatch(d -> d.path("kind").asText().equals("Secret"));
    JsonNode kustomization = YAML.readTree(DEPLOY.resolve("k8s/kustomization.yaml").toFile());
    assertThat(kustomization.has("secretGenerator")).isFalse();
    for (JsonNode d : deployments().values()) {
      String name = d.path("metadata").path("name").asText();
      JsonNode container = d.at("/spec/template/spec/containers/0");
      List<JsonNode> refs = container.findValues("secretKeyRef");
      assertThat(refs).as(name).isNotEmpty();
      for (JsonNode ref : refs) {
        assertThat(ref.path("name").asText()).isEqualTo("flintn-webhooks");
        assertThat(ref.path("key").asText()).isEqualTo("FLINTN_SECRETS_ENCRYPTION_KEY");
        assertThat(ref.path("optional").asBoolean())
            .as(name + ": no start without the key")
            .isFalse();
      }
      for (JsonNode volume : d.at("/spec/template/spec/volumes")) {
        if (volume.has("secret")) {
          assertThat(volume.at("/secret/optional").asBoolean()).as(name).isFalse();
        }
      }
    }
  }

  @Test
  void everyPodStartsWithItsWholeHeapTouchedAndRequestsTheMemoryItUses() throws Exception {
    // A heap that grows under load stalls the process while the system supplies its new pages.
    for (JsonNode d : deployments().values()) {
      String name = d.path("metadata").path("name").asText();
      JsonNode container = d.at("/spec/template/spec/containers/0");
      assertThat(javaToolOptions(container))
          .as(name)
          .contains(
              "-XX:MaxRAMPercentage=75.0", "-XX:InitialRAMPercentage=75.0", "-XX:+AlwaysPreTouch");
      assertThat(container.at("/resources/requests/memory").asText())
          .as(name + ": the memory request is the limit")
          .isNotEmpty()
          .isEqualTo(container.at("/resources/limits/memory").asText());
    }
  }

  private static String javaToolOptions(JsonNode container) {
    for (JsonNode env : container.path("env")) {
      if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
        return env.path("value").asText();
      }
    }
    return "";
  }

  @Test
  void theRetrySchedulerHeapIsSizedForItsInMemoryStore() throws Exception {
    // The endpoint-state store is in memory (EndpointStateApp): it lives on the heap, so the
    // retry scheduler keeps the image's heap share instead of giving memory to a RocksDB it does
    // not use.
    JsonNode container =
        deployments().get("retry-scheduler").at("/spec/template/spec/containers/0");
    assertThat(javaToolOptions(container)).contains("-XX:MaxRAMPercentage=75.0");
    try (Stream<Path> files = Files.list(DEPLOY.resolve("k8s"))) {
      for (Path f : files.toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContainIgnoringCase("rocksdb");
      }
    }
  }

  @Test
  void networkPoliciesDenyByDefaultAndSelectRealPodsAndPorts() throws Exception {
    Map<String, JsonNode> policies = new HashMap<>();
    for (JsonNode d : k8s()) {
      if (d.path("kind").asText().equals("NetworkPolicy")) {
        policies.put(d.at("/metadata/name").asText(), d.get("spec"));
      }
    }
    JsonNode deny = policies.get("default-deny");
    assertThat(deny.path("podSelector").isEmpty()).as("default-deny selects every pod").isTrue();
    assertThat(deny.path("policyTypes").toString()).contains("Ingress", "Egress");
    assertThat(deny.has("ingress") || deny.has("egress")).isFalse();

    Map<String, JsonNode> deployments = deployments();
    for (Map.Entry<String, JsonNode> p : policies.entrySet()) {
      JsonNode selector = p.getValue().at("/podSelector/matchLabels");
      if (selector.isMissingNode()) {
        continue;
      }
      assertThat(deployments.values())
          .as(p.getKey() + " selects the pods of a Deployment")
          .anyMatch(d -> contains(d.at("/spec/template/metadata/labels"), selector));
      for (JsonNode rule : p.getValue().path("ingress")) {
        assertThat(rule.path("from").isEmpty())
            .as(p.getKey() + ": ingress from anywhere")
            .isFalse();
      }
    }
    assertThat(port(policies.get("admin-api-from-ingress").at("/ingress/0/ports/0/port")))
        .isEqualTo(containerPort(deployments.get("admin"), "http"));
    for (JsonNode d : deployments.values()) {
      assertThat(port(policies.get("metrics-from-prometheus").at("/ingress/0/ports/0/port")))
          .isEqualTo(containerPort(d, "metrics"));
    }
  }

  @Test
  void dispatchersReachTheInternetOnlyOn443AndNeverWhatTheUrlGuardRefuses() throws Exception {
    JsonNode egress =
        k8s().stream()
            .filter(d -> d.at("/metadata/name").asText().equals("dispatcher-egress-https"))
            .findFirst()
            .orElseThrow()
            .at("/spec/egress");
    Set<Cidr> excepted = new HashSet<>();
    for (JsonNode rule : egress) {
      for (JsonNode to : rule.path("to")) {
        if (to.has("ipBlock")) {
          assertThat(rule.path("ports").size()).isEqualTo(1);
          assertThat(rule.at("/ports/0/port").asInt()).isEqualTo(443);
          to.at("/ipBlock/except").forEach(c -> excepted.add(Cidr.parse(c.asText())));
        }
      }
    }
    assertThat(excepted).containsExactlyInAnyOrderElementsOf(UrlGuard.blockedRanges());
  }

  @Test
  void composePublishesOnLoopbackOnlyAndKafkaAdvertisesAHostListener() throws Exception {
    JsonNode compose = YAML.readTree(DEPLOY.resolve("compose/docker-compose.yml").toFile());
    JsonNode services = compose.get("services");
    for (Map.Entry<String, JsonNode> s : services.properties()) {
      for (JsonNode port : s.getValue().path("ports")) {
        assertThat(port.asText()).as(s.getKey()).startsWith("127.0.0.1:");
      }
    }
    JsonNode kafka = services.get("kafka").get("environment");
    Map<String, String> advertised = listeners(kafka.path("KAFKA_ADVERTISED_LISTENERS").asText());
    Map<String, String> bound = listeners(kafka.path("KAFKA_LISTENERS").asText());
    assertThat(advertised.get("PLAINTEXT"))
        .as("what the Flintn containers use")
        .isEqualTo(compose.path("x-flintn-env").path("FLINTN_KAFKA_BOOTSTRAP_SERVERS").asText());
    Map.Entry<String, String> host =
        advertised.entrySet().stream()
            .filter(e -> e.getValue().startsWith("localhost:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no listener advertised to the host"));
    String hostPort = host.getValue().substring("localhost:".length());
    String containerPort = bound.get(host.getKey()).replaceAll(".*:", "");
    assertThat(services.get("kafka").path("ports").toString())
        .contains("\"127.0.0.1:" + hostPort + ":" + containerPort + "\"");
    assertThat(kafka.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText())
        .contains(host.getKey() + ":");
    assertThat(hostPort).as("the README's examples use localhost:9092").isEqualTo("9092");
  }

  private static Map<String, String> listeners(String spec) {
    Map<String, String> out = new HashMap<>();
    for (String l : spec.split(",")) {
      int i = l.indexOf("://");
      out.put(l.substring(0, i), l.substring(i + 3));
    }
    return out;
  }

  private static boolean contains(JsonNode labels, JsonNode selector) {
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
        return false;
      }
    }
    return true;
  }

  private static int port(JsonNode port) {
    assertThat(port.isInt()).as("numeric port " + port).isTrue();
    return port.asInt();
  }

  private static int containerPort(JsonNode deployment, String name) {
    for (JsonNode p : deployment.at("/spec/template/spec/containers/0/ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError(deployment.at("/metadata/name").asText() + " has no port " + name);
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

  private static Map<String, JsonNode> deployments() throws Exception {
    Map<String, JsonNode> deployments = new HashMap<>();
    for (JsonNode d : k8s()) {
      if (d.path("kind").asText().equals("Deployment")) {
        deployments.put(d.path("metadata").path("name").asText(), d);
      }
    }
    return deployments;
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
