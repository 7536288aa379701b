package com.flintn.webhooks.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.kafka.KafkaClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"flintn\""
          + " password=\"s3cret-value\";";

  @TempDir Path dir;

  private static FlintnConfig load(Optional<Path> file, Map<String, String> env) {
    return FlintnConfig.from(ConfigValues.load(file, env, Map.of()));
  }

  @Test
  void anEnvironmentVariableNamesItsPropertyInCapitalsWithUnderscores() {
    assertThat(
            KafkaClientProperties.propertyOfEnvironmentVariable(
                "FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG"))
        .contains("sasl.jaas.config");
    assertThat(
            KafkaClientProperties.propertyOfEnvironmentVariable(
                "FLINTN_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION"))
        .contains("ssl.truststore.location");
    assertThat(KafkaClientProperties.propertyOfEnvironmentVariable("FLINTN_HTTP_TIMEOUT"))
        .isEmpty();
    assertThat(KafkaClientProperties.environmentVariable("security.protocol"))
        .isEqualTo("FLINTN_KAFKA_CLIENT_SECURITY_PROTOCOL");
    assertThat(KafkaClientProperties.key("sasl.mechanism"))
        .isEqualTo("kafka.client.sasl.mechanism");
  }

  /** The mapping is exact only while Kafka's names are lower-case words joined by dots. */
  @Test
  void everyAcceptedPropertyRoundTripsThroughItsEnvironmentVariable() {
    assertThat(KafkaClientProperties.accepted())
        .contains("security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.keystore.type")
        .allSatisfy(
            property -> {
              assertThat(property).matches("[a-z0-9]+(\\.[a-z0-9]+)*");
              assertThat(
                      KafkaClientProperties.propertyOfEnvironmentVariable(
                          KafkaClientProperties.environmentVariable(property)))
                  .contains(property);
            });
  }

  @Test
  void theFileAndTheEnvironmentSetPropertiesAndTheEnvironmentWins() throws Exception {
    Path file = dir.resolve("flintn.yaml");
    Files.writeString(
        file,
        """
        kafka:
          bootstrap-servers: broker:9093
          client:
            security.protocol: SASL_SSL
            sasl:
              mechanism: PLAIN
            ssl.truststore.location: /etc/kafka/truststore.p12
        """);
    FlintnConfig c =
        load(
            Optional.of(file),
            Map.of(
                "FLINTN_KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
                "FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG", JAAS,
                "FLINTN_KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", " "));
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9093");
    assertThat(c.kafka().client().asMap())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS));
  }

  @Test
  void aPropertiesFileTakesTheSameKeys() throws Exception {
    Path file = dir.resolve("flintn.properties");
    Files.writeString(file, "kafka.client.security.protocol=SSL\n");
    assertThat(load(Optional.of(file), Map.of()).kafka().client().asMap())
        .isEqualTo(Map.of("security.protocol", "SSL"));
  }

  @Test
  void valuesNeverShowInTheConfigurationsText() {
    FlintnConfig c = load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG", JAAS));
    assertThat(c.kafka().client().asMap()).containsEntry("sasl.jaas.config", JAAS);
    assertThat(c.toString()).contains("sasl.jaas.config").doesNotContain("s3cret-value");
    assertThat(c.kafka().toString()).doesNotContain("s3cret-value");
  }

  @Test
  void propertiesTheProductSetsAreRefusedNamingTheKeyAndWhy() throws Exception {
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_ENABLE_IDEMPOTENCE", "false")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "FLINTN_KAFKA_CLIENT_ENABLE_IDEMPOTENCE: 'enable.idempotence' cannot be passed to the"
                + " Kafka clients: the product sets it on each client to keep its delivery"
                + " guarantees");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_ISOLATION_LEVEL", "x")))
        .hasMessageStartingWith("FLINTN_KAFKA_CLIENT_ISOLATION_LEVEL: 'isolation.level' cannot");
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_BOOTSTRAP_SERVERS", "x:1")))
        .hasMessageEndingWith("set it with kafka.bootstrap-servers");
    Path file = dir.resolve("flintn.properties");
    Files.writeString(file, "kafka.client.acks=1\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("kafka.client.acks: 'acks' cannot be passed to the Kafka clients");
  }

  @Test
  void everyProductOwnedPropertyIsAKafkaClientProperty() {
    assertThat(KafkaClientProperties.PRODUCT_OWNED.keySet())
        .allSatisfy(
            p ->
                assertThat(
                        ProducerConfig.configNames().contains(p)
                            || ConsumerConfig.configNames().contains(p)
                            || AdminClientConfig.configNames().contains(p))
                    .as(p)
                    .isTrue());
  }

  @Test
  void aMisspelledPropertyIsRefusedWithTheClosestName() throws Exception {
    assertThatThrownBy(
            () -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_SASL_JASS_CONFIG", JAAS)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "FLINTN_KAFKA_CLIENT_SASL_JASS_CONFIG: 'sasl.jass.config' is not a Kafka producer,"
                + " consumer or admin client property (did you mean"
                + " FLINTN_KAFKA_CLIENT_SASL_JAAS_CONFIG?)")
        .message()
        .doesNotContain("s3cret-value");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENT_", "x")))
        .hasMessageStartingWith("FLINTN_KAFKA_CLIENT_: names no Kafka client property");
    Path file = dir.resolve("flintn.properties");
    Files.writeString(file, "kafka.client.security.protocl=SSL\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of()))
        .hasMessage(
            "kafka.client.security.protocl: 'security.protocl' is not a Kafka producer, consumer"
                + " or admin client property (did you mean kafka.client.security.protocol?)");
  }

  @Test
  void otherUnknownVariablesAreStillRefused() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("FLINTN_KAFKA_CLIENTS", "x")))
        .hasMessageStartingWith("FLINTN_KAFKA_CLIENTS: unknown environment variable");
  }

  @Test
  void everyKindOfClientGetsThePropertiesItKnowsAndTheProductsOwnOnTop() {
    FlintnConfig.KafkaConfig kafka =
        new FlintnConfig.KafkaConfig(
            "broker:9093",
            KafkaClientProperties.of(
                Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.jaas.config", JAAS,
                    "buffer.memory", "1048576",
                    "auto.commit.interval.ms", "1000")));
    Properties producer = KafkaClients.producer(kafka, "p");
    assertThat(producer)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("buffer.memory", "1048576")
        .containsEntry("acks", "all")
        .containsEntry("bootstrap.servers", "broker:9093")
        .doesNotContainKey("auto.commit.interval.ms");
    Properties consumer = KafkaClients.consumer(kafka, "g");
    assertThat(consumer)
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("auto.commit.interval.ms", "1000")
        .containsEntry("isolation.level", "read_committed")
        .doesNotContainKey("buffer.memory");
    assertThat(KafkaClients.admin(kafka, "a"))
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("client.id", "a")
        .doesNotContainKeys("buffer.memory", "auto.commit.interval.ms");
    assertThat(KafkaClients.streams(kafka))
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("sasl.jaas.config", JAAS);
  }
}
