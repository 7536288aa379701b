package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.config.KafkaClientProperties;
import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import com.flintn.webhooks.launcher.demo.DemoReceiver;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "standalone",
    mixinStandardHelpOptions = true,
    description = {
      "Runs everything in one JVM: an embedded Kafka broker, the topics, the dispatcher, the",
      "retry scheduler, the endpoint-state app, and the admin API with its dashboard.",
      "Without admin.api-keys it makes a key for account acc_demo and prints it.",
      "Broker data lives in standalone.data-dir and survives restarts.",
      "--demo also starts a local HTTPS receiver, registers it, and sends sample events."
    })
final class StandaloneCommand implements Callable<Integer> {
  static final String DEMO_ACCOUNT = "acc_demo";
  static final String DEMO_ENDPOINT = "ep_demo";

  @Mixin ConfigOption config;

  @Option(
      names = "--demo",
      description = "Start a local receiver, register it and send sample events.")
  boolean demo;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Clock clock = Clock.systemUTC();
    Map<ConfigKey, String> defaults = new EnumMap<>(ConfigKey.class);
    defaults.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
    defaults.put(ConfigKey.TOPICS_PARTITIONS, "3");
    FlintnConfig c = config.load(defaults);
    if (!c.kafka().client().isEmpty()) {
      String property = c.kafka().client().asMap().keySet().iterator().next();
      throw new ConfigException(
          KafkaClientProperties.key(property),
          "standalone runs its own broker without TLS or SASL; Kafka client properties are for"
              + " an external cluster");
    }
    Path dataDir = c.standalone().dataDir();
    if (c.secrets().cipher().isEmpty()) {
      defaults.put(ConfigKey.SECRETS_ENCRYPTION_KEY, StandaloneKey.readOrCreate(dataDir, out));
      c = config.load(defaults);
    }
    String demoKey = null;
    if (c.admin().apiKeys().isEmpty()) {
      StandaloneApiKeys.Made keys = StandaloneApiKeys.readOrCreate(dataDir, DEMO_ACCOUNT, out);
      defaults.put(ConfigKey.ADMIN_API_KEYS, keys.file().toString());
      demoKey = keys.demoKey();
      c = config.load(defaults);
    }
    ApiKeys apiKeys = ApiKeys.load(c.admin().apiKeys().orElseThrow());

    List<AutoCloseable> running = new ArrayList<>();
    DemoReceiver receiver = null;
    if (demo) {
      receiver = DemoReceiver.start(dataDir.resolve("demo"), out, clock);
      running.add(receiver);
      defaults.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, receiver.certificatePem().toString());
      defaults.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32,::1/128");
      c = config.load(defaults);
    }

    EmbeddedKafka kafka =
        EmbeddedKafka.start(
            dataDir.resolve("kafka"), c.standalone().kafkaPort(), Duration.ofSeconds(60));
    running.add(0, kafka);
    c = c.withBootstrapServers(kafka.bootstrapServers());
    try (Admin admin = Admin.create(KafkaClients.admin(c.kafka(), "standalone-topics"))) {
      TopicsCommand.create(admin, c, true); // its own broker: nobody else set these topics up
    }
    TopicCatalog topics = c.topicCatalog();
    ProcessMetrics metrics = ProcessMetrics.start(c, clock);
    running.add(0, metrics);
    EndpointStateApp endpointState = new EndpointStateApp(c, metrics.registry);
    endpointState.addHealthChecks(metrics.health);
    endpointState.start();
    running.add(0, endpointState);
    if (receiver != null) {
      registerDemoEventTypes(c, topics, clock);
      registerDemoEndpoint(c, topics, receiver, clock);
    }
    DispatcherApp dispatcher = new DispatcherApp(c, clock, metrics.registry);
    dispatcher.addHealthChecks(metrics.health);
    dispatcher.start();
    running.add(0, dispatcher);
    RetrySchedulerApp scheduler = new RetrySchedulerApp(c, clock, metrics.registry);
    scheduler.addHealthChecks(metrics.health);
    scheduler.start();
    running.add(0, scheduler);
    AdminApp admin = AdminRunner.start(c, apiKeys, clock, metrics);
    running.add(0, admin);

    long startedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
    out.printf(
        "Flintn Webhooks standalone ready in %.1f s: Kafka at %s, data in %s, topics prefixed '%s'%n",
        (clock.millis() - startedAt) / 1000.0,
        kafka.bootstrapServers(),
        dataDir.toAbsolutePath().normalize(),
        c.topics().prefix());
    String dashboard = "http://localhost:" + admin.port() + "/";
    out.println(
        "Dashboard and admin API: " + dashboard + " (OpenAPI at " + dashboard + "openapi.json)");
    if (demoKey != null) {
      out.println("API key for account " + DEMO_ACCOUNT + ": " + demoKey);
      out.println("  curl -H 'Authorization: Bearer " + demoKey + "' " + dashboard + "v1/webhooks");
    }
    if (receiver != null) {
      awaitDemoEndpoint(dispatcher, receiver.url());
      runDemo(c, topics, receiver, out, clock);
    }
    out.println("Press Ctrl-C to stop.");
    out.flush();
    Processes.awaitShutdown(
        c.shutdownTimeout(),
        () -> {
          long stopping = clock.millis();
          for (AutoCloseable r : running) {
            try {
              if (r instanceof DispatcherApp d) {
                // the dispatcher's bound is what is left of the whole stop's
                d.close(Duration.ofMillis(clock.millis() - stopping));
              } else {
                r.close();
              }
            } catch (Exception e) {
              System.err.println("while stopping: " + e.getMessage());
            }
          }
        });
    return Main.OK;
  }

  /**
   * Registers the demo receiver the way the admin API does: a change command to the endpoint-state
   * app, which writes the endpoints table. Each start replaces the demo endpoint (and its secret).
   */
  private static void registerDemoEndpoint(
      FlintnConfig c, TopicCatalog topics, DemoReceiver receiver, Clock clock) throws Exception {
    Secret secret = Secret.generate();
    receiver.expectSecret(secret);
    EndpointId id = EndpointId.of(DEMO_ENDPOINT);
    AccountId account = AccountId.of(DEMO_ACCOUNT);
    Topic<String, EndpointChange> t = topics.endpointChanges();
    List<EndpointChange> changes =
        List.of(
            EndpointChange.of(
                "demo-delete", EndpointChange.Type.DELETE, id, account, clock.instant()),
            new EndpointChange(
                "demo-create",
                EndpointChange.Type.CREATE,
                id,
                account,
                "Demo receiver",
                receiver.url(),
                List.of("*"),
                secret,
                null,
                clock.instant()));
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      for (EndpointChange change : changes) {
        p.send(
                new ProducerRecord<>(
                    t.name(),
                    DEMO_ENDPOINT.getBytes(StandardCharsets.UTF_8),
                    t.valueSerde().serializer().serialize(t.name(), change)))
            .get();
      }
    }
  }

  /**
   * Describes the event types the demo sends in the catalogue, so the dashboard offers them. Each
   * start writes them again (same names: the compacted topic keeps one record per type).
   */
  private static void registerDemoEventTypes(FlintnConfig c, TopicCatalog topics, Clock clock)
      throws Exception {
    List<EventType> types = new ArrayList<>();
    // Flintn's own failure notifications (docs/design.md §4.1), with their data schemas.
    for (String type : OperationalEvents.TYPES) {
      types.add(
          new EventType(
              type,
              OperationalEvents.description(type),
              OperationalEvents.schema(type),
              clock.instant()));
    }
    types.addAll(
        List.of(
            new EventType(
                "order.created",
                "An order was placed.",
                Json.mapper()
                    .readTree(
                        "{\"type\":\"object\",\"required\":[\"order_id\",\"amount\",\"currency\"],"
                            + "\"properties\":{\"order_id\":{\"type\":\"string\"},"
                            + "\"amount\":{\"type\":\"integer\",\"description\":\"minor units\"},"
                            + "\"currency\":{\"type\":\"string\"}}}"),
                clock.instant()),
            new EventType("order.paid", "An order was paid in full.", null, clock.instant()),
            new EventType(
                "customer.updated",
                "A customer's details (email, name) changed.",
                null,
                clock.instant())));
    try (EventTypeWriter writer =
        new EventTypeWriter(c.kafka(), topics.eventTypes(), Duration.ofSeconds(15))) {
      for (EventType t : types) {
        writer.put(t);
      }
    }
  }

  private static void awaitDemoEndpoint(DispatcherApp dispatcher, String url)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (dispatcher
          .knownEndpoint(EndpointId.of(DEMO_ENDPOINT))
          .filter(e -> e.isActive() && e.url().equals(url))
          .isPresent()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the demo endpoint did not reach the dispatcher within 60 s");
  }

  private static void runDemo(
      FlintnConfig c, TopicCatalog topics, DemoReceiver receiver, PrintStream out, Clock clock)
      throws Exception {
    out.println();
    out.println("demo: a local HTTPS receiver is listening at " + receiver.url());
    out.println(
        "demo: registered as endpoint "
            + DEMO_ENDPOINT
            + " of account "
            + DEMO_ACCOUNT
            + " for all event types");
    out.println(
        "demo: url-guard.allow is opened to 127.0.0.1/32 and ::1/128 for this demo only (production refuses loopback)");
    String[][] samples = {
      {"order.created", "{\"order_id\":\"ord_1001\",\"amount\":4200,\"currency\":\"EUR\"}"},
      {"order.paid", "{\"order_id\":\"ord_1001\",\"paid_at\":\"" + clock.instant() + "\"}"},
      {"customer.updated", "{\"customer_id\":\"cus_77\",\"email\":\"ada@example.com\"}"}
    };
    try (KafkaProducer<byte[], byte[]> p = producer(c)) {
      int i = 0;
      for (String[] s : samples) {
        String id = "evt_demo_" + clock.millis() + "_" + ++i;
        String json =
            "{\"event_id\":\""
                + id
                + "\",\"event_type\":\""
                + s[0]
                + "\",\"account_id\":\""
                + DEMO_ACCOUNT
                + "\",\"created_at\":\""
                + clock.instant()
                + "\",\"data\":"
                + s[1]
                + "}";
        p.send(
                new ProducerRecord<>(
                    topics.events().name(),
                    DEMO_ACCOUNT.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)))
            .get();
        out.println("demo: sent " + id + " (" + s[0] + ") to " + topics.events().name());
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (receiver.deliveries() < samples.length && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    out.println();
    out.println(
        "demo: "
            + receiver.deliveries()
            + " of "
            + samples.length
            + " sample events delivered and verified.");
    out.println("demo: send your own (in another terminal):");
    String env =
        c.kafka().bootstrapServers().equals("localhost:9092")
            ? ""
            : "FLINTN_KAFKA_BOOTSTRAP_SERVERS=" + c.kafka().bootstrapServers() + " ";
    out.println(
        "  "
            + env
            + "bin/flintn-webhooks events send --type order.created --account "
            + DEMO_ACCOUNT
            + " --data '{\"order_id\":\"ord_42\"}'");
    out.println(
        "demo: or with kcat: echo '{\"event_id\":\"evt_kcat_1\",\"event_type\":\"order.created\",\"account_id\":\""
            + DEMO_ACCOUNT
            + "\",\"created_at\":\"2026-11-27T10:00:00Z\",\"data\":{}}' | kcat -P -b "
            + c.kafka().bootstrapServers()
            + " -t "
            + topics.events().name()
            + " -k "
            + DEMO_ACCOUNT);
    out.println(
        "demo: attempts are recorded on "
            + topics.attempts().name()
            + ": kcat -C -b "
            + c.kafka().bootstrapServers()
            + " -t "
            + topics.attempts().name()
            + " -e");
    out.println();
  }

  private static KafkaProducer<byte[], byte[]> producer(FlintnConfig c) {
    return new KafkaProducer<>(
        KafkaClients.producer(c.kafka(), "standalone-demo"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }
}
