package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.dlq.DlqFilter;
import com.flintn.webhooks.admin.dlq.TimeSpec;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.EndpointId;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The filters {@code dlq list} and {@code dlq replay} share. */
final class DlqFilterOptions {
  static final Set<String> REASONS = Set.of("client_error", "unsafe_url", "attempts_exhausted");

  @Option(names = "--endpoint", paramLabel = "ID", description = "Only this endpoint.")
  String endpoint;

  @Option(names = "--account", paramLabel = "ID", description = "Only this account.")
  String account;

  @Option(names = "--event-type", paramLabel = "TYPE", description = "Only this event type.")
  String eventType;

  @Option(
      names = "--reason",
      paramLabel = "REASON",
      description = "Only this reason: client_error, unsafe_url or attempts_exhausted.")
  String reason;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Dead-lettered at or after: 2026-11-27T10:00:00Z, 2026-11-27, or an age (30m, 2h, 7d).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Dead-lettered before (same forms).")
  String until;

  /**
   * The filter these options describe.
   *
   * @throws IllegalArgumentException naming the option that is wrong
   */
  DlqFilter toFilter(Clock clock) {
    Optional<Instant> from = time("--since", since, clock);
    Optional<Instant> to = time("--until", until, clock);
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new IllegalArgumentException("--since must be before --until");
    }
    if (reason != null && !REASONS.contains(reason)) {
      throw new IllegalArgumentException(
          "--reason must be client_error, unsafe_url or attempts_exhausted, not '" + reason + "'");
    }
    return new DlqFilter(
        Optional.ofNullable(endpoint).map(v -> id("--endpoint", v, EndpointId::of)),
        Optional.ofNullable(account).map(v -> id("--account", v, AccountId::of)),
        Optional.ofNullable(eventType),
        Optional.ofNullable(reason),
        from,
        to);
  }

  private static Optional<Instant> time(String option, String text, Clock clock) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(TimeSpec.parse(text, clock));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }

  private static <T> T id(String option, String value, Function<String, T> of) {
    try {
      return of.apply(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
  }
}
