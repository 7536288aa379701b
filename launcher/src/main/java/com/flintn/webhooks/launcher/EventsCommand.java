package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "Produces events, as an upstream service does.",
    subcommands = {EventsCommand.Send.class})
final class EventsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to do: events send");
  }

  @Command(
      name = "send",
      mixinStandardHelpOptions = true,
      description = "Produces one event envelope to the events topic (key: the account id).")
  static final class Send implements Callable<Integer> {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    @Mixin ConfigOption config;

    @Option(
        names = "--type",
        required = true,
        paramLabel = "TYPE",
        description = "Event type, e.g. order.created.")
    String type;

    @Option(
        names = "--account",
        required = true,
        paramLabel = "ACCOUNT",
        description = "Account id, e.g. acc_1.")
    String account;

    @Option(
        names = "--data",
        paramLabel = "JSON",
        defaultValue = "{}",
        description = "The data object (default: {}).")
    String data;

    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "Event id (default: a new evt_... id).")
    String id;

    @Override
    public Integer call() throws Exception {
      FlintnConfig c = config.load();
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("event_id", id != null ? id : newId());
      envelope.put("event_type", type);
      envelope.put("account_id", account);
      envelope.put(
          "created_at", Clock.systemUTC().instant().truncatedTo(ChronoUnit.MILLIS).toString());
      try {
        envelope.put("data", Json.mapper().readTree(data));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Main.UsageException("--data is not valid JSON: " + e.getOriginalMessage());
      }
      byte[] value = Json.bytes(envelope);
      ParsedEvent parsed = new EventParser(c.dispatcher().maxEventBytes()).parse(value);
      if (parsed instanceof ParsedEvent.Invalid bad) {
        throw new Main.UsageException("the event would be refused: " + bad.detail());
      }
      String topic = c.topicCatalog().events().name();
      Properties p = KafkaClients.producer(c.kafka(), "events-send");
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        RecordMetadata m =
            producer
                .send(new ProducerRecord<>(topic, account.getBytes(StandardCharsets.UTF_8), value))
                .get(20, TimeUnit.SECONDS);
        System.out.printf(
            "sent %s (%s) to %s-%d@%d%n",
            envelope.get("event_id"), type, topic, m.partition(), m.offset());
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "could not send to "
                + topic
                + " at "
                + c.kafka().bootstrapServers()
                + ": "
                + (e.getCause() != null ? e.getCause().getMessage() : "timed out"));
      }
      return Main.OK;
    }

    private static String newId() {
      StringBuilder sb = new StringBuilder("evt_");
      for (int i = 0; i < 24; i++) {
        sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
      }
      return sb.toString();
    }
  }
}
