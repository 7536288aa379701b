package com.flintn.webhooks.endpointstate;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointEvent;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.SigningSecrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The endpoint lifecycle of the customer page as pure functions: active, disabled (can be
 * reactivated), revoked (final). A change that does not fit the current state is rejected with a
 * reason; a change to the state the endpoint is already in is accepted and changes nothing, so a
 * retried request is harmless. A delivery that exhausts its 5 attempts disables an active endpoint,
 * once: a duplicate of that attempt record, or one for an attempt that started before the
 * endpoint's last status change (a reactivation) or before its URL last changed (it went to the old
 * URL), changes nothing.
 */
final class EndpointTransitions {
  static final String ATTEMPTS_EXHAUSTED = "attempts_exhausted";
  static final String REQUESTED = "requested";

  private EndpointTransitions() {}

  /**
   * What applying something does.
   *
   * @param next the new state to write: present to write it, empty to leave the table alone
   * @param delete whether to delete the endpoint (tombstone)
   */
  record Result(Optional<Endpoint> next, boolean delete, List<EndpointEvent> events) {
    static Result none() {
      return new Result(Optional.empty(), false, List.of());
    }

    static Result write(Endpoint next, EndpointEvent event) {
      return new Result(Optional.of(next), false, List.of(event));
    }
  }

  static Result apply(
      @Nullable Endpoint current, EndpointChange c, Instant at, Duration defaultGrace) {
    if (current != null && !current.accountId().equals(c.accountId())) {
      return reject(c, at, "endpoint belongs to another account");
    }
    if (c.type() == EndpointChange.Type.CREATE) {
      return create(current, c, at);
    }
    if (current == null) {
      return reject(c, at, "no such endpoint");
    }
    return switch (c.type()) {
      case CREATE -> create(current, c, at);
      case UPDATE ->
          current.status() == EndpointStatus.REVOKED
              ? reject(c, at, "a revoked endpoint cannot be changed")
              : Result.write(
                  current.withSettings(c.name(), c.url(), c.eventTypes(), c.rateLimit(), at),
                  event(EndpointEvent.UPDATED, current, at, null, c));
      case DISABLE ->
          switch (current.status()) {
            case ACTIVE ->
                Result.write(
                    current.withStatus(EndpointStatus.DISABLED, REQUESTED, at),
                    event(EndpointEvent.DISABLED, current, at, REQUESTED, c));
            case DISABLED -> Result.none();
            case REVOKED -> reject(c, at, "a revoked endpoint cannot be disabled");
          };
      case REACTIVATE ->
          switch (current.status()) {
            case DISABLED ->
                Result.write(
                    current.withStatus(EndpointStatus.ACTIVE, null, at),
                    event(EndpointEvent.REACTIVATED, current, at, null, c));
            case ACTIVE -> Result.none();
            case REVOKED ->
                reject(c, at, "a revoked endpoint cannot be reactivated; revoked is final");
          };
      case REVOKE ->
          current.status() == EndpointStatus.REVOKED
              ? Result.none()
              : Result.write(
                  current.withStatus(EndpointStatus.REVOKED, REQUESTED, at),
                  event(EndpointEvent.REVOKED, current, at, REQUESTED, c));
      case ROTATE_SECRET -> rotate(current, c, at, defaultGrace);
      case DELETE ->
          new Result(
              Optional.empty(), true, List.of(event(EndpointEvent.DELETED, current, at, null, c)));
      // The same endpoint, written again: the serializer seals its secrets with the writing key.
      // Applied here, in order with every other change of the endpoint, it cannot undo one.
      case REKEY -> new Result(Optional.of(current), false, List.of());
    };
  }

  /**
   * Whether an attempt record of this {@code outcome} header can change an endpoint: only a dead
   * letter can. A record without the header (written before it existed) may.
   */
  static boolean mayChangeState(@Nullable String outcomeHeader) {
    return outcomeHeader == null || outcomeHeader.equals(AttemptOutcome.DEAD_LETTERED.wireName());
  }

  /** Whether {@code a} can change its endpoint: a delivery dead-lettered after its last attempt. */
  static boolean mayChangeState(AttemptRecord a) {
    return a.outcome() == AttemptOutcome.DEAD_LETTERED && a.attempt() >= Delivery.MAX_ATTEMPTS;
  }

  static Result onAttempt(@Nullable Endpoint current, AttemptRecord a, Instant at) {
    if (current == null
        || !mayChangeState(a)
        || current.status() != EndpointStatus.ACTIVE
        || current.predatesStatusOrUrl(a.startedAt())) {
      return Result.none();
    }
    String last = a.status() != null ? String.valueOf(a.status()) : a.error();
    return Result.write(
        current.withStatus(EndpointStatus.DISABLED, ATTEMPTS_EXHAUSTED, at),
        new EndpointEvent(
            EndpointEvent.DISABLED,
            current.endpointId(),
            current.accountId(),
            at,
            ATTEMPTS_EXHAUSTED,
            last,
            a.eventId(),
            null));
  }

  private static Result create(@Nullable Endpoint current, EndpointChange c, Instant at) {
    if (current != null) {
      return reject(c, at, "an endpoint with this id exists");
    }
    if (c.url() == null
        || c.eventTypes() == null
        || c.eventTypes().isEmpty()
        || c.secret() == null) {
      return reject(c, at, "create needs url, event_types and secret");
    }
    Endpoint created =
        new Endpoint(
            c.endpointId(),
            c.accountId(),
            c.name(),
            c.url(),
            c.eventTypes(),
            EndpointStatus.ACTIVE,
            null,
            SigningSecrets.of(c.secret()),
            at,
            at,
            1,
            at,
            null,
            c.rateLimit());
    return Result.write(created, event(EndpointEvent.CREATED, created, at, null, c));
  }

  private static Result rotate(Endpoint current, EndpointChange c, Instant at, Duration grace) {
    if (current.status() == EndpointStatus.REVOKED) {
      return reject(c, at, "a revoked endpoint has no secret to rotate");
    }
    if (c.secret() == null) {
      return reject(c, at, "rotate_secret needs the new secret");
    }
    Duration g = c.rotationGrace(grace);
    SigningSecrets next =
        g.isZero() || g.isNegative()
            ? SigningSecrets.of(c.secret())
            : new SigningSecrets(c.secret(), current.secrets().current(), at.plus(g));
    return Result.write(
        current.withSecrets(next, at), event(EndpointEvent.SECRET_ROTATED, current, at, null, c));
  }

  private static Result reject(EndpointChange c, Instant at, String why) {
    return new Result(
        Optional.empty(),
        false,
        List.of(
            new EndpointEvent(
                EndpointEvent.CHANGE_REJECTED,
                c.endpointId(),
                c.accountId(),
                at,
                c.type().wireName() + ": " + why,
                null,
                null,
                c.changeId())));
  }

  private static EndpointEvent event(
      String type, Endpoint e, Instant at, @Nullable String reason, EndpointChange c) {
    return new EndpointEvent(
        type, e.endpointId(), e.accountId(), at, reason, null, null, c.changeId());
  }
}
