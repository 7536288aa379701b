package com.flintn.webhooks.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.eventtype.EventTypeWriter;
import com.flintn.webhooks.common.message.EventType;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The admin's copy of the event-type catalogue, on the real broker. */
@Tag("broker")
class EventTypeViewTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void loadsTheCatalogueAtStartThenFollowsPutsReplacementsAndTombstones() throws Exception {
    try (TestEnvironment env =
            TestEnvironment.create("event-type-view", 3, Optional.empty(), Map.of());
        EventTypeWriter writer = writer(env)) {
      writer.put(type("order.paid", "Paid."));
      writer.put(type("order.created", "Placed."));
      writer.put(type("customer.updated", "Changed."));
      writer.remove("customer.updated");
      try (EventTypeView view = caughtUpView(env)) {
        assertThat(view.all())
            .as("what the topic held at start, by name, without the removed type")
            .extracting(EventType::name)
            .containsExactly("order.created", "order.paid");
        assertThat(view.isHealthy()).isTrue();

        writer.put(type("order.paid", "Paid in full."));
        writer.put(type("order.refunded", "Refunded."));
        writer.remove("order.created");
        await()
            .atMost(WAIT)
            .until(() -> view.names().equals(java.util.Set.of("order.paid", "order.refunded")));
        assertThat(view.get("order.paid").orElseThrow().description()).isEqualTo("Paid in full.");
        assertThat(view.size()).isEqualTo(2);
      }
    }
  }

  @Test
  void anUnreadableRecordOrOneFiledUnderAnotherNameIsSkipped() throws Exception {
    try (TestEnvironment env =
            TestEnvironment.create("event-type-bad", 1, Optional.empty(), Map.of());
        EventTypeWriter writer = writer(env)) {
      String topic = env.topics().eventTypes().name();
      env.send(topic, bytes("order.created"), bytes("{not json"));
      env.send(
          topic,
          bytes("order.paid"),
          bytes("{\"name\":\"order.created\",\"description\":\"Wrong key.\"}"));
      env.send(
          topic, bytes("Not A Name"), bytes("{\"name\":\"Not A Name\",\"description\":\"x\"}"));
      writer.put(type("customer.updated", "Changed."));
      try (EventTypeView view = caughtUpView(env)) {
        assertThat(view.names()).containsExactly("customer.updated");
      }
    }
  }

  @Test
  void anEmptyCatalogueIsLoadedAtOnce() throws Exception {
    try (TestEnvironment env =
            TestEnvironment.create("event-type-empty", 2, Optional.empty(), Map.of());
        EventTypeView view = caughtUpView(env)) {
      assertThat(view.isEmpty()).isTrue();
    }
  }

  private static EventTypeWriter writer(TestEnvironment env) {
    return new EventTypeWriter(env.config().kafka(), env.topics().eventTypes(), WAIT);
  }

  /** A view of the environment's catalogue, started and caught up with the topic. */
  private static EventTypeView caughtUpView(TestEnvironment env) throws Exception {
    EventTypeView view = new EventTypeView(env.config().kafka(), env.topics().eventTypes());
    try {
      view.start();
      assertThat(view.awaitCaughtUp(WAIT)).isTrue();
      return view;
    } catch (Exception | AssertionError e) {
      view.close();
      throw e;
    }
  }

  private static EventType type(String name, String description) {
    return new EventType(name, description, null, Instant.parse("2026-12-06T08:00:00Z"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
