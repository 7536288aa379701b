package com.flintn.webhooks.common.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.EventId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Operational webhooks (docs/design.md §4.1): events Flintn itself sends to tell an account about
 * its own endpoints, delivered, signed, retried and logged like every other event. Their types sit
 * in the product's reserved {@code webhook.} namespace, next to {@code webhook.test}; an endpoint
 * receives them only when it lists them by name ({@code *} does not include them), and never when
 * it is the endpoint the event is about. Pure functions; thread safe.
 */
public final class OperationalEvents {
  /** The namespace of the types Flintn emits itself; upstream services must not use it. */
  public static final String RESERVED_PREFIX = Event.RESERVED_TYPE_PREFIX;

  /** An endpoint's failing deliveries reached a warning level of the disable rule. */
  public static final String ENDPOINT_FAILING = "webhook.endpoint.failing";

  /** An endpoint was disabled because a delivery failed all its attempts. */
  public static final String ENDPOINT_DISABLED = "webhook.endpoint.disabled";

  /** Every operational type, in the order the catalogue lists them. */
  public static final List<String> TYPES = List.of(ENDPOINT_FAILING, ENDPOINT_DISABLED);

  /** The field of {@code data} naming the endpoint the event is about. */
  public static final String SUBJECT_FIELD = "endpoint_id";

  private OperationalEvents() {}

  /** Whether {@code type} is in the product's reserved namespace (not matched by {@code *}). */
  public static boolean isReserved(String type) {
    return Event.isReservedType(type);
  }

  /** Whether {@code type} is one of the operational types. */
  public static boolean isOperational(String type) {
    return ENDPOINT_FAILING.equals(type) || ENDPOINT_DISABLED.equals(type);
  }

  /**
   * The endpoint {@code event} is about, which must not receive it, or null when it is no
   * operational event. One string comparison for every other event.
   */
  public static @Nullable String subject(Event event) {
    if (!isOperational(event.eventType())) {
      return null;
    }
    JsonNode id = event.data().get(SUBJECT_FIELD);
    return id != null && id.isTextual() ? id.asText() : null;
  }

  /** What the account is told about one of its endpoints. */
  public record Subject(
      EndpointId endpointId, AccountId accountId, @Nullable String name, String url) {}

  /** What went wrong last: an HTTP status or, when no response came back, an error kind. */
  public record LastFailure(EventId eventId, @Nullable Integer status, @Nullable String error) {}

  /**
   * A {@link #ENDPOINT_FAILING} event: {@code failedAttempts} of {@code maxAttempts} attempts of
   * one delivery failed, which is {@code percent} of the way to the disable rule.
   *
   * @param idSeed what makes the event id: the same seed gives the same id, so a record processed
   *     twice gives the same event (receivers de-duplicate on {@code event_id})
   */
  public static Event failing(
      Subject s,
      int percent,
      int failedAttempts,
      int maxAttempts,
      LastFailure last,
      Instant at,
      String idSeed) {
    ObjectNode data = subjectData(s);
    data.put("percent_of_threshold", percent);
    data.put("failed_attempts", failedAttempts);
    data.put("max_attempts", maxAttempts);
    putFailure(data, last);
    return new Event(
        eventId(ENDPOINT_FAILING, idSeed), ENDPOINT_FAILING, s.accountId(), at.toString(), data);
  }

  /** A {@link #ENDPOINT_DISABLED} event: the endpoint was disabled for {@code reason}. */
  public static Event disabled(
      Subject s, String reason, LastFailure last, Instant at, String idSeed) {
    ObjectNode data = subjectData(s);
    data.put("reason", reason);
    data.put("disabled_at", at.toString());
    putFailure(data, last);
    return new Event(
        eventId(ENDPOINT_DISABLED, idSeed), ENDPOINT_DISABLED, s.accountId(), at.toString(), data);
  }

  private static ObjectNode subjectData(Subject s) {
    ObjectNode data = Json.mapper().createObjectNode();
    data.put(SUBJECT_FIELD, s.endpointId().value());
    if (s.name() != null) {
      data.put("endpoint_name", s.name());
    }
    data.put("url", s.url());
    return data;
  }

  private static void putFailure(ObjectNode data, LastFailure last) {
    if (last == null) {
      return;
    }
    if (last.eventId() != null) {
      data.put("failing_event_id", last.eventId().value());
    }
    if (last.status() != null) {
      data.put("last_status", last.status().intValue());
    }
    if (last.error() != null) {
      data.put("last_error", last.error());
    }
  }

  /** {@code evt_} and 32 hex digits of SHA-256 over the type and the seed. */
  static EventId eventId(String type, String seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] d = sha.digest((type + "\n" + seed).getBytes(StandardCharsets.UTF_8));
      return EventId.of("evt_" + HexFormat.of().formatHex(d, 0, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  /** The JSON Schema of the {@code data} of {@code type}, as the catalogue publishes it. */
  public static JsonNode schema(String type) {
    String failure =
        "\"failing_event_id\":{\"type\":\"string\",\"description\":\"the event whose delivery"
            + " failed\"},\"last_status\":{\"type\":\"integer\",\"description\":\"the last HTTP"
            + " status, when a response came back\"},\"last_error\":{\"type\":\"string\","
            + "\"description\":\"the error kind when no response came back (timeout,"
            + " connection_refused, tls, ...)\"}";
    String subject =
        "\"endpoint_id\":{\"type\":\"string\"},\"endpoint_name\":{\"type\":\"string\"},"
            + "\"url\":{\"type\":\"string\"}";
    String text =
        switch (type) {
          case ENDPOINT_FAILING ->
              "{\"type\":\"object\",\"required\":[\"endpoint_id\",\"url\",\"percent_of_threshold\","
                  + "\"failed_attempts\",\"max_attempts\"],\"properties\":{"
                  + subject
                  + ",\"percent_of_threshold\":{\"type\":\"integer\",\"enum\":[60,80],"
                  + "\"description\":\"how far along the disable rule: failed attempts of one"
                  + " delivery out of max_attempts\"},\"failed_attempts\":{\"type\":\"integer\"},"
                  + "\"max_attempts\":{\"type\":\"integer\"},"
                  + failure
                  + "}}";
          case ENDPOINT_DISABLED ->
              "{\"type\":\"object\",\"required\":[\"endpoint_id\",\"url\",\"reason\","
                  + "\"disabled_at\"],\"properties\":{"
                  + subject
                  + ",\"reason\":{\"type\":\"string\",\"enum\":[\"attempts_exhausted\"]},"
                  + "\"disabled_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
                  + failure
                  + "}}";
          default -> throw new IllegalArgumentException("not an operational type: " + type);
        };
    try {
      return Json.mapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the catalogue says of {@code type}. */
  public static String description(String type) {
    return switch (type) {
      case ENDPOINT_FAILING ->
          "Sent by Flintn: one of your endpoints is failing; a delivery to it failed 3 (60%) or 4"
              + " (80%) of the 5 attempts after which the endpoint is disabled.";
      case ENDPOINT_DISABLED ->
          "Sent by Flintn: one of your endpoints was disabled because a delivery failed all 5"
              + " attempts. Reactivate it once it is fixed.";
      default -> throw new IllegalArgumentException("not an operational type: " + type);
    };
  }
}
