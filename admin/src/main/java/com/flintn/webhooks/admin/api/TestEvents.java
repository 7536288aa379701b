package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a {@code webhook.test} event to one endpoint alone. It goes to {@code
 * webhooks.deliveries.due} as attempt 1 for that endpoint, so the dispatcher signs, sends, records
 * and retries it like any other delivery; other endpoints of the account never see it. Each account
 * may send {@code perMinute} a minute ({@link TestEventRateLimit}).
 */
public final class TestEvents {
  private final Topic<String, Delivery> due;
  private final Producer<byte[], byte[]> producer;
  private final Clock clock;
  private final Duration timeout;
  private final int perMinute;
  private final TestEventRateLimit limit;

  public TestEvents(
      Topic<String, Delivery> due,
      Producer<byte[], byte[]> producer,
      Clock clock,
      Duration timeout,
      int perMinute) {
    this.due = due;
    this.producer = producer;
    this.clock = clock;
    this.timeout = timeout;
    this.perMinute = perMinute;
    this.limit = new TestEventRateLimit(perMinute, clock);
  }

  /**
   * Queues the test event and answers with its ids.
   *
   * @throws ApiError a 429 with {@code Retry-After} when the account has no test event left
   */
  ObjectNode send(Endpoint endpoint)
      throws InterruptedException, ExecutionException, TimeoutException {
    Optional<Duration> wait = limit.take(endpoint.accountId());
    if (wait.isPresent()) {
      throw ApiError.rateLimited(
          "this account may send "
              + perMinute
              + " test events a minute and has sent them; the next can be sent in "
              + ApiError.retryAfterSeconds(wait.get())
              + " s",
          wait.get());
    }
    EventId eventId = EventId.of("evt_test_" + UUID.randomUUID().toString().replace("-", ""));
    ObjectNode data = Json.mapper().createObjectNode();
    data.put("message", "This is a test event sent from Flintn Webhooks.");
    data.put("endpoint_id", endpoint.endpointId().value());
    Event event =
        new Event(
            eventId,
            Event.TEST_EVENT_TYPE,
            endpoint.accountId(),
            clock.instant().truncatedTo(ChronoUnit.MILLIS).toString(),
            data);
    Delivery d = Delivery.first(event, endpoint.endpointId(), null);
    producer
        .send(
            new ProducerRecord<>(
                due.name(),
                endpoint.endpointId().value().getBytes(StandardCharsets.UTF_8),
                due.valueSerde().serializer().serialize(due.name(), d)))
        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    ObjectNode answer = Json.mapper().createObjectNode();
    answer.put("event_id", eventId.value());
    answer.put("event_type", Event.TEST_EVENT_TYPE);
    answer.put("delivery_id", d.deliveryId().value());
    return answer;
  }
}
