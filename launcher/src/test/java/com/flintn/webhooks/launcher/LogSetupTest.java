package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flintn.webhooks.common.config.ConfigException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.level} and {@code log.format} through the launcher: a dispatcher started against a
 * broker that is not there logs the Kafka client's connection warnings, read here in each format.
 */
@Tag("process") // starts a dispatcher process
class LogSetupTest {
  private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  private static final String ISO_TIME =
      "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})";

  @TempDir Path dir;

  @Test
  void jsonFormatWritesOneJsonObjectPerLineWithAFullUtcTimestamp() throws Exception {
    // with a Kafka client property: checking its name must not make a logger before the format
    // is set
    List<String> lines =
        firstLines(config("log.format=json\nkafka.client.security.protocol=PLAINTEXT\n"), 1);
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode event = json.readTree(line);
      assertThat(event.path("time").asText()).as(line).matches(ISO_TIME).endsWith("Z");
      assertThat(OffsetDateTime.parse(event.path("time").asText())).isNotNull();
      assertThat(event.path("level").asText()).isIn("WARN", "ERROR", "INFO");
      assertThat(event.path("logger").asText()).isNotBlank();
      assertThat(event.path("thread").asText()).isNotBlank();
      assertThat(event.path("message").asText()).isNotBlank();
    }
  }

  @Test
  void textFormatStartsEachLineWithAFullTimestamp() throws Exception {
    List<String> lines = firstLines(config(""), 1);
    assertThat(lines.get(0)).matches(ISO_TIME + " \\[.+\\] (INFO|WARN|ERROR) .*");
  }

  @Test
  void aBadLevelOrFormatStopsStartupNamingTheKey() throws Exception {
    Process p = start(config("log.level=loud\n"));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(Main.USAGE);
    assertThat(out.strip())
        .isEqualTo(
            "flintn-webhooks: configuration: log.level: must be one of trace, debug, info, warn,"
                + " error, not loud");
    assertThatThrownBy(() -> LogSetup.apply(new String[0], Map.of("FLINTN_LOG_FORMAT", "xml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("log.format: must be one of text, json");
  }

  @Test
  void theLevelBecomesSlf4jSimplesDefaultAndErrorQuietsTheLibraries() {
    String level = "org.slf4j.simpleLogger.defaultLogLevel";
    String kafka = "org.slf4j.simpleLogger.log.org.apache.kafka";
    String before = System.getProperty(level);
    try {
      LogSetup.apply(new String[0], Map.of("FLINTN_LOG_LEVEL", "DEBUG"));
      assertThat(System.getProperty(level)).isEqualTo("debug");
      assertThat(System.getProperty(kafka)).isNull();
      LogSetup.apply(new String[] {"dispatcher"}, Map.of("FLINTN_LOG_LEVEL", "error"));
      assertThat(System.getProperty(level)).isEqualTo("error");
      assertThat(System.getProperty(kafka)).isEqualTo("error");
    } finally {
      if (before == null) {
        System.clearProperty(level);
      } else {
        System.setProperty(level, before);
      }
      for (String name : LogSetup.LIBRARIES) {
        System.clearProperty("org.slf4j.simpleLogger.log." + name);
      }
    }
  }

  @Test
  void aJsonLineCarriesTheStackTraceAndEscapesTheMessage() throws Exception {
    String line =
        JsonLogProvider.JsonLogger.line(
            Instant.parse("2026-12-06T05:00:00.123456Z"),
            org.slf4j.event.Level.ERROR,
            "main",
            "com.flintn.webhooks.X",
            "two\nlines \"quoted\"",
            new IllegalStateException("boom"));
    assertThat(line).doesNotContain("\n");
    JsonNode event = new ObjectMapper().readTree(line);
    assertThat(event.path("time").asText()).isEqualTo("2026-12-06T05:00:00.123Z");
    assertThat(event.path("level").asText()).isEqualTo("ERROR");
    assertThat(event.path("message").asText()).isEqualTo("two\nlines \"quoted\"");
    assertThat(event.path("exception").asText())
        .startsWith("java.lang.IllegalStateException: boom")
        .contains("at com.flintn.webhooks.launcher.LogSetupTest");
  }

  @Test
  void findsTheConfigFileInEitherSpelling() {
    assertThat(LogSetup.configFile(new String[] {"dispatcher", "--config", "a.yaml"}))
        .contains(Path.of("a.yaml"));
    assertThat(LogSetup.configFile(new String[] {"admin", "--config=b.properties"}))
        .contains(Path.of("b.properties"));
    assertThat(LogSetup.configFile(new String[] {"admin"})).isEmpty();
  }

  private Path config(String extra) throws Exception {
    Path file = dir.resolve("flintn.properties");
    Files.writeString(
        file,
        "kafka.bootstrap-servers=127.0.0.1:"
            + closedPort()
            + "\nmetrics.port="
            + closedPort()
            + "\nsecrets.encryption-key="
            + KEY
            + "\n"
            + extra);
    return file;
  }

  private static Process start(Path config) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "dispatcher",
                "--config",
                config.toString())
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(name -> name.startsWith("FLINTN_"));
    return pb.start();
  }

  /** The first {@code count} lines the dispatcher writes; then it is stopped. */
  private static List<String> firstLines(Path config, int count) throws Exception {
    Process p = start(config);
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (lines.size() < count && (line = r.readLine()) != null) {
        lines.add(line);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(lines).hasSize(count);
    return lines;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
