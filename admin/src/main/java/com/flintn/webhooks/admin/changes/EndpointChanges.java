package com.flintn.webhooks.admin.changes;

import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends endpoint changes as commands to {@code webhooks.endpoint-changes} and waits, with a bound,
 * until the endpoint-state app has answered and the changed endpoint is visible in the endpoint
 * view, so a read right after a write shows it. Thread safe.
 */
public final class EndpointChanges implements AutoCloseable {
  /** What became of a change. */
  public sealed interface Result {
    /** Applied; {@code endpoint} is its state now as the view shows it. */
    record Applied(Optional<Endpoint> endpoint) implements Result {}

    /** Refused by the endpoint-state app, with its reason. */
    record Rejected(String reason) implements Result {}

    /** No answer within the bound: the change is queued and may still be applied. */
    record Pending() implements Result {}
  }

  private final TopicCatalog topics;
  private final Producer<byte[], byte[]> producer;
  private final Admin admin;
  private final EndpointView view;
  private final ChangeOutcomes outcomes;
  private final Duration timeout;

  public EndpointChanges(
      KafkaConfig kafka,
      TopicCatalog topics,
      Producer<byte[], byte[]> producer,
      Admin admin,
      EndpointView view,
      Duration timeout) {
    this.topics = topics;
    this.producer = producer;
    this.admin = admin;
    this.view = view;
    this.timeout = timeout;
    this.outcomes = new ChangeOutcomes(kafka, topics.endpointEvents());
  }

  /** Starts watching for answers; returns once no answer can be missed. */
  public void start() throws InterruptedException {
    outcomes.start();
    if (!outcomes.awaitReady(Duration.ofSeconds(60))) {
      throw new IllegalStateException(
          "could not read " + topics.endpointEvents().name() + " within 60 s");
    }
  }

  /** Sends {@code change} and waits for its answer and for the view to show it. */
  public Result apply(EndpointChange change)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<EndpointEvent> answer = outcomes.expect(change.changeId());
    Topic<String, EndpointChange> t = topics.endpointChanges();
    try {
      producer
          .send(
              new ProducerRecord<>(
                  t.name(),
                  change.endpointId().value().getBytes(StandardCharsets.UTF_8),
                  t.valueSerde().serializer().serialize(t.name(), change)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      EndpointEvent e;
      try {
        e = answer.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException noAnswer) {
        return new Result.Pending();
      }
      if (EndpointEvent.CHANGE_REJECTED.equals(e.type())) {
        return new Result.Rejected(Objects.requireNonNullElse(e.reason(), "rejected"));
      }
      // The answer and the table record commit in one transaction, but Kafka makes a transaction
      // visible partition by partition: wait for the record itself. An applied change stamps the
      // endpoint's updated_at with the answer's time.
      boolean deleted = EndpointEvent.DELETED.equals(e.type());
      Instant at = e.at();
      boolean seen =
          view.awaitEndpoint(
              change.endpointId(),
              now ->
                  deleted
                      ? now.isEmpty()
                      : now.map(x -> x.updatedAt() != null && !x.updatedAt().isBefore(at))
                          .orElse(false),
              Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      return seen ? new Result.Applied(view.get(change.endpointId())) : new Result.Pending();
    } finally {
      answer.cancel(false);
    }
  }

  /**
   * Waits until the view has read everything committed to the endpoints table so far.
   *
   * @throws TimeoutException if it has not within {@code bound}
   */
  public void sync(Duration bound)
      throws InterruptedException, ExecutionException, TimeoutException {
    view.sync(admin, bound);
  }

  @Override
  public void close() {
    outcomes.close();
  }
}
