package com.flintn.webhooks.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;
import org.jspecify.annotations.Nullable;

/**
 * A single-node Kafka broker in KRaft combined mode (broker and controller in one process), started
 * from Kafka's own server classes. Standalone mode and the test suites both use this one class.
 *
 * <p>The data directory is formatted on first start and reused afterwards, so topics and records
 * survive a restart. Every internal topic (consumer offsets, transaction state, share-group state)
 * is configured with replication factor 1 and min ISR 1, which is what a single node can offer;
 * with that, idempotent producers, transactions and Kafka Streams {@code exactly_once_v2} work.
 *
 * <p>Not thread safe: one owner starts and closes it.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Cluster id used when formatting a new data directory (22 base64url characters). */
  static final String CLUSTER_ID = "flintnWebhooksKafka00A";

  /**
   * The one user of a broker started with {@link #startWithScram}; it authenticates with
   * SCRAM-SHA-512.
   */
  public record ScramUser(String username, String password) {
    @Override
    public String toString() {
      return "ScramUser[" + username + "]";
    }
  }

  /** The mechanism of the SASL listener of {@link #startWithScram}. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

  private final Path dataDir;
  private final int port;
  private final int plaintextPort;
  private final KafkaRaftServer server;
  private volatile boolean closed;

  private EmbeddedKafka(Path dataDir, int port, int plaintextPort, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.port = port;
    this.plaintextPort = plaintextPort;
    this.server = server;
  }

  /**
   * Starts a broker that keeps its data in {@code dataDir} and listens on {@code port} (0 picks a
   * free port), and waits until it answers metadata requests.
   *
   * @throws EmbeddedKafkaException if the port is taken, the directory cannot be used, or the
   *     broker does not become ready within {@code readyTimeout}
   */
  public static EmbeddedKafka start(Path dataDir, int port, Duration readyTimeout) {
    return start(dataDir, port, readyTimeout, null);
  }

  /**
   * Starts a broker whose {@link #bootstrapServers} is a SASL_PLAINTEXT listener that accepts only
   * {@code user} with {@value #SCRAM_MECHANISM}, as a secured cluster would. The credential is
   * written into the metadata log when the directory is formatted. The broker also keeps an
   * unauthenticated listener, {@link #plaintextBootstrapServers}, for its own use and for setting
   * up a test (topics) without the credential.
   */
  public static EmbeddedKafka startWithScram(Path dataDir, Duration readyTimeout, ScramUser user) {
    return start(dataDir, 0, readyTimeout, user);
  }

  private static EmbeddedKafka start(
      Path dataDir, int port, Duration readyTimeout, @Nullable ScramUser scram) {
    // Free ports are found by binding and releasing them; another process can take one in
    // between, so a start on picked ports is tried a few times.
    int tries = 3;
    for (int i = 1; ; i++) {
      try {
        return startOnce(dataDir, port, readyTimeout, scram);
      } catch (EmbeddedKafkaException e) {
        if (i >= tries) {
          throw e;
        }
      }
    }
  }

  private static EmbeddedKafka startOnce(
      Path dataDir, int port, Duration readyTimeout, @Nullable ScramUser scram) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new EmbeddedKafkaException("cannot create Kafka data directory " + dataDir, e);
    }
    int brokerPort = port == 0 ? freePort() : port;
    int controllerPort = freePort();
    Properties props = brokerProperties(dataDir.toAbsolutePath(), brokerPort, controllerPort);
    int saslPort = 0;
    if (scram != null) {
      saslPort = freePort();
      addScramListener(props, brokerPort, saslPort, controllerPort);
    }
    format(dataDir, props, scram);

    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    try {
      server.startup();
    } catch (RuntimeException e) {
      safeShutdown(server);
      throw new EmbeddedKafkaException(
          "Kafka broker did not start on port " + brokerPort + ": " + e.getMessage(), e);
    }
    EmbeddedKafka kafka =
        scram == null
            ? new EmbeddedKafka(dataDir, brokerPort, brokerPort, server)
            : new EmbeddedKafka(dataDir, saslPort, brokerPort, server);
    try {
      kafka.awaitReady(readyTimeout);
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  /**
   * {@code host:port} for {@code bootstrap.servers}; the SASL listener of a broker started with
   * {@link #startWithScram}.
   */
  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /**
   * {@code host:port} of the unauthenticated listener: {@link #bootstrapServers} itself unless the
   * broker was started with {@link #startWithScram}.
   */
  public String plaintextBootstrapServers() {
    return "localhost:" + plaintextPort;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    safeShutdown(server);
  }

  static Properties brokerProperties(Path dataDir, int brokerPort, int controllerPort) {
    Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", "1"),
            Map.entry("controller.quorum.voters", "1@localhost:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://localhost:"
                    + brokerPort
                    + ",CONTROLLER://localhost:"
                    + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", dataDir.resolve("kafka-logs").toString()),
            Map.entry("metadata.log.dir", dataDir.resolve("kafka-metadata").toString()),
            Map.entry("num.partitions", "1"),
            Map.entry("auto.create.topics.enable", "false"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "5"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "5"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024)),
            Map.entry("delete.topic.enable", "true")));
    return p;
  }

  /** Adds a SASL_PLAINTEXT listener on {@code saslPort} that authenticates with SCRAM. */
  private static void addScramListener(
      Properties p, int brokerPort, int saslPort, int controllerPort) {
    p.put(
        "listeners",
        "PLAINTEXT://localhost:"
            + brokerPort
            + ",SASL_PLAINTEXT://localhost:"
            + saslPort
            + ",CONTROLLER://localhost:"
            + controllerPort);
    p.put(
        "advertised.listeners",
        "PLAINTEXT://localhost:" + brokerPort + ",SASL_PLAINTEXT://localhost:" + saslPort);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
    p.put(
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
  }

  static void format(Path dataDir, Properties props) {
    format(dataDir, props, null);
  }

  private static void format(Path dataDir, Properties props, @Nullable ScramUser scram) {
    Path config = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(config)) {
      props.store(
          out, "Written by Flintn Webhooks for the embedded broker; rewritten at each start");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      List<String> args =
          new ArrayList<>(
              List.of("format", "-t", CLUSTER_ID, "-c", config.toString(), "--ignore-formatted"));
      if (scram != null) {
        args.add("--add-scram");
        args.add(
            SCRAM_MECHANISM + "=[name=" + scram.username() + ",password=" + scram.password() + "]");
      }
      rc = StorageTool.execute(args.toArray(String[]::new), out);
    } catch (RuntimeException e) {
      throw new EmbeddedKafkaException(
          "cannot format Kafka data directory " + dataDir + ": " + e.getMessage(), e);
    }
    if (rc != 0) {
      throw new EmbeddedKafkaException(
          "cannot format Kafka data directory "
              + dataDir
              + ": "
              + captured.toString(StandardCharsets.UTF_8).strip(),
          null);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "2000");
    try (Admin admin = Admin.create(p)) {
      RuntimeException last = null;
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster().nodes().get().isEmpty()) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EmbeddedKafkaException("interrupted while waiting for the broker", e);
        } catch (Exception e) {
          last = new RuntimeException(e.getMessage(), e);
        }
      }
      throw new EmbeddedKafkaException(
          "Kafka broker on port " + port + " not ready after " + timeout.toSeconds() + " s", last);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new EmbeddedKafkaException("no free local port for the embedded broker", e);
    }
  }

  private static void safeShutdown(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException ignored) {
      // Shutting down a server that failed half-way can throw; there is nothing left to release.
    }
  }
}
