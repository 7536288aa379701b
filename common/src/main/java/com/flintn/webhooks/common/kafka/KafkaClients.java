package com.flintn.webhooks.common.kafka;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The client settings every component starts from; each adds what is particular to it. Every Kafka
 * client the product creates starts here, so each gets the brokers and the operator's passthrough
 * properties (TLS, SASL; {@link com.flintn.webhooks.common.config.KafkaClientProperties}), and the
 * product's own settings are put on top of them.
 */
public final class KafkaClients {
  private KafkaClients() {}

  /**
   * How long the group waits for a member that stopped heartbeating before giving its partitions to
   * the others. Kafka's default (45 s) means a killed process holds its partitions for 45 s; 10 s
   * (the default before Kafka 3.0) lets a restarted or surviving instance take over in about 10 s.
   * Heartbeats run on their own thread, so slow deliveries do not count against it.
   */
  public static final int SESSION_TIMEOUT_MS = 10_000;

  public static final int HEARTBEAT_INTERVAL_MS = 3_000;

  /**
   * A group consumer that commits only what its owner says is finished, starts from the earliest
   * record of a new group, sees only committed transactions, and is given up on {@link
   * #SESSION_TIMEOUT_MS} after it stops heartbeating.
   */
  public static Properties consumer(KafkaConfig kafka, String groupId) {
    Properties p = reader(kafka);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-consumer");
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT_MS));
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(HEARTBEAT_INTERVAL_MS));
    return p;
  }

  /** A producer that loses nothing it acknowledged and adds no duplicates on its own retries. */
  public static Properties producer(KafkaConfig kafka, String clientId) {
    Properties p = new Properties();
    p.putAll(kafka.client().forClient(ProducerConfig.configNames()));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /**
   * A consumer outside any group, for a caller that assigns partitions and seeks itself; it adds
   * its own client id, isolation level and commit setting.
   */
  public static Properties reader(KafkaConfig kafka) {
    Properties p = new Properties();
    p.putAll(kafka.client().forClient(ConsumerConfig.configNames()));
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return p;
  }

  /** An admin client named {@code clientId}. */
  public static Properties admin(KafkaConfig kafka, String clientId) {
    Properties p = new Properties();
    p.putAll(kafka.client().forClient(AdminClientConfig.configNames()));
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  /**
   * The start of a Kafka Streams configuration: Streams hands each property to the inner clients
   * that know it.
   */
  public static Properties streams(KafkaConfig kafka) {
    Properties p = new Properties();
    p.putAll(kafka.client().asMap());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return p;
  }
}
