package com.flintn.webhooks.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonParser;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks Kubernetes documents against the schemas of the APIs they name, without a cluster: what an
 * API server with strict field validation (kubectl's default) would refuse. One check per API:
 *
 * <ul>
 *   <li>Kubernetes' own kinds: the models of the official Java client, generated from the OpenAPI
 *       of its Kubernetes release; their {@code validateJsonElement} refuses unknown fields,
 *       missing required ones and wrong primitive types, and a kind the group/version does not
 *       serve has no model or no API operation.
 *   <li>Strimzi's {@code KafkaTopic}: the CRD that Strimzi's own generator makes from its API
 *       classes, its {@code openAPIV3Schema} checked by a JSON Schema validator, with unknown
 *       fields refused where the schema does not preserve them (as a structural schema prunes
 *       them).
 *   <li>The Prometheus Operator's {@code PodMonitor}: the fabric8 model of that CRD; a field it
 *       does not know is one the CRD does not have.
 * </ul>
 */
final class KubernetesSchemas {
  static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final String APIS = "io.kubernetes.client.openapi.apis.";

  private final JsonNode kafkaTopicCrd;

  private KubernetesSchemas(JsonNode kafkaTopicCrd) {
    this.kafkaTopicCrd = kafkaTopicCrd;
  }

  /** Loads the schemas; runs Strimzi's CRD generator in a JVM of its own (a few seconds). */
  static KubernetesSchemas load() throws IOException, InterruptedException {
    return new KubernetesSchemas(strimziCrd("io.strimzi.api.kafka.model.topic.KafkaTopic"));
  }

  /** Every problem of {@code doc}, as "kind/name: problem"; empty when it is valid. */
  List<String> problems(JsonNode doc) {
    String apiVersion = doc.path("apiVersion").asText();
    String kind = doc.path("kind").asText();
    String where = kind + "/" + doc.at("/metadata/name").asText();
    List<String> out = new ArrayList<>();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    try {
      if (group.equals("kafka.strimzi.io")) {
        out.addAll(crdProblems(kafkaTopicCrd, doc));
      } else if (group.equals("monitoring.coreos.com")) {
        out.addAll(podMonitorProblems(doc));
      } else if (!group.contains(".") || group.endsWith(".k8s.io")) {
        builtInProblem(group, apiVersion, kind, doc).ifPresent(out::add);
      } else {
        out.add("no schema known for " + apiVersion);
      }
    } catch (Exception e) {
      out.add(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return out.stream().map(p -> where + ": " + p).toList();
  }

  // --- Kubernetes' own kinds: the official client's models ---

  private static Optional<String> builtInProblem(
      String group, String apiVersion, String kind, JsonNode doc) throws Exception {
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String prefix = version.substring(0, 1).toUpperCase(Locale.ROOT) + version.substring(1);
    Class<?> model;
    try {
      model = Class.forName(MODELS + prefix + kind);
    } catch (ClassNotFoundException e) {
      return Optional.of(apiVersion + " " + kind + " is not a kind of this Kubernetes release");
    }
    if (!served(group, prefix, kind)) {
      return Optional.of(
          apiVersion
              + " does not serve "
              + kind
              + " in this Kubernetes release (no API operation)");
    }
    Method validate = model.getMethod("validateJsonElement", com.google.gson.JsonElement.class);
    try {
      validate.invoke(null, JsonParser.parseString(JSON.writeValueAsString(doc)));
    } catch (java.lang.reflect.InvocationTargetException e) {
      String message = String.valueOf(e.getCause().getMessage());
      int json = message.indexOf(" JSON: "); // the client appends the whole object
      return Optional.of(json < 0 ? message : message.substring(0, json));
    }
    return Optional.empty();
  }

  /** Whether the client has a create operation for {@code kind} in the group/version's API. */
  private static boolean served(String group, String version, String kind) {
    String name =
        group.isEmpty()
            ? "Core"
            : Arrays.stream(group.replace(".k8s.io", "").split("\\."))
                .map(w -> w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1))
                .reduce("", String::concat);
    try {
      Class<?> api = Class.forName(APIS + name + version + "Api");
      return Arrays.stream(api.getMethods())
          .anyMatch(
              m ->
                  m.getName().equals("createNamespaced" + kind)
                      || m.getName().equals("create" + kind));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  // --- CRDs with an openAPIV3Schema ---

  /** The problems of {@code doc} against a CRD: a version it serves, and that version's schema. */
  static List<String> crdProblems(JsonNode crd, JsonNode doc) {
    String group = crd.at("/spec/group").asText();
    String kind = crd.at("/spec/names/kind").asText();
    List<String> served = new ArrayList<>();
    JsonNode schema = null;
    for (JsonNode v : crd.at("/spec/versions")) {
      if (v.path("served").asBoolean()) {
        served.add(group + "/" + v.path("name").asText());
        if (doc.path("apiVersion").asText().equals(group + "/" + v.path("name").asText())) {
          schema = v.at("/schema/openAPIV3Schema");
        }
      }
    }
    if (!doc.path("kind").asText().equals(kind)) {
      return List.of("kind " + doc.path("kind").asText() + " is not " + kind);
    }
    if (schema == null) {
      return List.of(
          "apiVersion " + doc.path("apiVersion").asText() + " is not served; served: " + served);
    }
    Schema validator =
        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
            .getSchema(strict(schema.deepCopy()).toString(), com.networknt.schema.InputFormat.JSON);
    return validator.validate(doc.toString(), com.networknt.schema.InputFormat.JSON).stream()
        .map(e -> e.getInstanceLocation() + " " + e.getMessage())
        .toList();
  }

  /**
   * The schema with unknown fields refused wherever it lists properties and does not preserve
   * unknown ones, as an API server with strict field validation refuses them.
   */
  private static JsonNode strict(JsonNode schema) {
    if (schema instanceof ObjectNode o) {
      if (o.has("properties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean()
          && !o.has("additionalProperties")) {
        o.put("additionalProperties", false);
      }
      o.properties().forEach(e -> strict(e.getValue()));
    } else if (schema.isArray()) {
      schema.forEach(KubernetesSchemas::strict);
    }
    return schema;
  }

  /** The CRD of {@code resourceClass} as this Strimzi release generates it. */
  private static JsonNode strimziCrd(String resourceClass)
      throws IOException, InterruptedException {
    Path jars = ROOT.resolve("launcher/target/strimzi");
    if (!Files.isRegularFile(jars.resolve("crd-generator.jar"))) {
      throw new AssertionError(
          "no " + jars + "/crd-generator.jar: run the launcher's generate-test-resources phase");
    }
    Path out = Files.createTempFile("strimzi-crd", ".yaml");
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  jars.resolve("crd-generator.jar")
                      + java.io.File.pathSeparator
                      + jars.resolve("api.jar"),
                  "io.strimzi.crdgenerator.CrdGenerator",
                  "--yaml",
                  "--crd-api-version",
                  "v1",
                  resourceClass + "=" + out)
              .redirectErrorStream(true)
              .start();
      p.getOutputStream().close();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("Strimzi's CRD generator did not finish in 120 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("Strimzi's CRD generator failed: " + log);
      }
      return YAML.readTree(out.toFile());
    } finally {
      Files.deleteIfExists(out);
    }
  }

  // --- PodMonitor: the fabric8 model of the Prometheus Operator's CRD ---

  private static List<String> podMonitorProblems(JsonNode doc) {
    String expected = HasMetadata.getApiVersion(PodMonitor.class);
    if (!doc.path("apiVersion").asText().equals(expected)
        || !doc.path("kind").asText().equals(HasMetadata.getKind(PodMonitor.class))) {
      return List.of("not a " + expected + " PodMonitor");
    }
    PodMonitor model = JSON.convertValue(doc, PodMonitor.class);
    List<String> out = new ArrayList<>();
    unknownFields(model, "", out, new IdentityHashMap<>());
    return out;
  }

  /** Fields the fabric8 models kept aside as unknown, anywhere under {@code o}. */
  @SuppressWarnings("unchecked")
  private static void unknownFields(
      Object o, String path, List<String> out, IdentityHashMap<Object, Boolean> seen) {
    if (o == null || seen.put(o, true) != null) {
      return;
    }
    if (o instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        unknownFields(l.get(i), path + "/" + i, out, seen);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "/" + k, out, seen));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || !m.getName().startsWith("get")
          || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = m.invoke(o);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (m.getName().equals("getAdditionalProperties")) {
        ((Map<String, Object>) value)
            .keySet()
            .forEach(k -> out.add(path + "/" + k + ": unknown field"));
      } else {
        String field =
            m.getName().substring(3, 4).toLowerCase(Locale.ROOT) + m.getName().substring(4);
        unknownFields(value, path + "/" + field, out, seen);
      }
    }
  }

  // --- rendering ---

  /** {@code kubectl kustomize dir}: the documents {@code kubectl apply -k dir} would send. */
  static List<JsonNode> kustomize(Path dir) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).start();
    } catch (IOException e) {
      throw new AssertionError(
          "these tests need kubectl: apt-get install kubernetes-client (.ci/run does this)", e);
    }
    p.getOutputStream().close();
    byte[] out;
    try {
      out = p.getInputStream().readAllBytes();
    } finally {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError("kubectl kustomize " + dir + " failed: " + err);
    }
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isEmpty()) {
          docs.add(d);
        }
      }
    }
    return docs;
  }
}
