package com.flintn.webhooks.common.eventtype;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.common.topic.Topic;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;

/**
 * Writes the event-type catalogue: an entry keyed by its name, or a tombstone that removes it. Each
 * write waits until the broker has it (acks=all), bounded by {@code timeout}.
 */
public final class EventTypeWriter implements AutoCloseable {
  private final Topic<String, EventType> topic;
  private final KafkaProducer<String, EventType> producer;
  private final Duration timeout;

  public EventTypeWriter(KafkaConfig kafka, Topic<String, EventType> topic, Duration timeout) {
    this.topic = topic;
    this.timeout = timeout;
    Properties p = KafkaClients.producer(kafka, "event-types");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
    p.put(
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
        String.valueOf(Math.min(timeout.toMillis(), 5000)));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), topic.valueSerde().serializer());
  }

  /** Adds {@code type} or replaces the entry of its name. */
  public void put(EventType type)
      throws ExecutionException, TimeoutException, InterruptedException {
    send(type.name(), type);
  }

  /** Removes {@code name} from the catalogue (a tombstone); harmless if it is not there. */
  public void remove(String name)
      throws ExecutionException, TimeoutException, InterruptedException {
    send(name, null);
  }

  private void send(String key, @Nullable EventType value)
      throws ExecutionException, TimeoutException, InterruptedException {
    producer
        .send(new ProducerRecord<>(topic.name(), key, value))
        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
