package com.flintn.webhooks.endpointstate;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Delivery;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The early warnings of the disable rule as pure functions (docs/design.md §4.1). An endpoint is
 * disabled when one delivery fails all {@link Delivery#MAX_ATTEMPTS} attempts, so each failed
 * attempt of a delivery is a fifth of the way there. A failed attempt 3 (60%, the endpoint has been
 * failing for 35 minutes) and a failed attempt 4 (80%, the next failure in 24 hours disables it)
 * each warn once; attempts 1 and 2 fail within 5 minutes of a blip that the retries absorb, and
 * warn nobody. A delivered attempt ends the warning (re-arms the levels). A new warning within
 * {@link #QUIET_AFTER_RECOVERY} of the last webhook sent after a recovery updates the state but
 * sends no webhook, so an endpoint that flaps between failing and delivering does not flood the
 * account; a rise within one failing spell (60 then 80) always sends one.
 */
final class FailureLevels {
  /** The first failed attempt of a delivery that warns. */
  static final int FIRST_WARNING_ATTEMPT = 3;

  static final Duration QUIET_AFTER_RECOVERY = Duration.ofHours(1);

  private FailureLevels() {}

  /**
   * What the endpoint-state app keeps per endpoint that has warned, in its {@code endpoint-health}
   * store: one small record, written only when the level changes.
   *
   * @param percent the warning level reached in the current failing spell; 0 once it recovered
   * @param since when the level was reached
   * @param notifiedAt when the last {@code webhook.endpoint.failing} webhook was sent, or null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Health(
      @JsonProperty("account_id") AccountId accountId,
      @JsonProperty("percent") int percent,
      @JsonProperty("since") Instant since,
      @JsonProperty("notified_at") Instant notifiedAt) {
    Health {
      Objects.requireNonNull(accountId, "account_id");
      Objects.requireNonNull(since, "since");
    }

    boolean failing() {
      return percent > 0;
    }
  }

  /**
   * A rise of the warning level.
   *
   * @param next the state to keep
   * @param sendWebhook whether to send the account a {@code webhook.endpoint.failing} webhook; the
   *     status event for the dashboard is written either way
   */
  record Rise(Health next, boolean sendWebhook) {}

  /** How far along the disable rule a failed attempt {@code attempt} is, in percent. */
  static int percent(int attempt) {
    return Math.min(attempt, Delivery.MAX_ATTEMPTS) * 100 / Delivery.MAX_ATTEMPTS;
  }

  /** The warning level of a failed attempt {@code attempt} that is retried, or 0 for none. */
  static int warningLevel(int attempt) {
    return attempt >= FIRST_WARNING_ATTEMPT && attempt < Delivery.MAX_ATTEMPTS
        ? percent(attempt)
        : 0;
  }

  /**
   * A failed, retried attempt {@code attempt} of a delivery to an active endpoint whose state is
   * {@code current} (null when it has none), at {@code at}: the rise it causes, if any.
   */
  static Optional<Rise> onFailed(Health current, AccountId account, int attempt, Instant at) {
    int level = warningLevel(attempt);
    if (level == 0 || (current != null && current.percent() >= level)) {
      return Optional.empty();
    }
    boolean send =
        current == null
            || current.failing()
            || current.notifiedAt() == null
            || !at.isBefore(current.notifiedAt().plus(QUIET_AFTER_RECOVERY));
    Instant notifiedAt = send ? at : current.notifiedAt();
    return Optional.of(new Rise(new Health(account, level, at, notifiedAt), send));
  }

  /**
   * A delivered attempt to an endpoint whose state is {@code current}: the recovered state, if it
   * was failing. The time of the last webhook is kept for {@link #QUIET_AFTER_RECOVERY}.
   */
  static Optional<Health> onDelivered(Health current, Instant at) {
    if (current == null || !current.failing()) {
      return Optional.empty();
    }
    return Optional.of(new Health(current.accountId(), 0, at, current.notifiedAt()));
  }
}
