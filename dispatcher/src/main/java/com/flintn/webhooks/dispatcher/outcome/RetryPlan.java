package com.flintn.webhooks.dispatcher.outcome;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Which delay tier the next attempt waits on. Normally attempt {@code n} failing puts attempt
 * {@code n+1} on tier {@code n-1} (5 min, 30 min, 2 h, 24 h). A {@code Retry-After} longer than
 * that tier moves the attempt to the first tier at least as long, so the next attempt is never
 * earlier than the endpoint asked, and every record in a tier topic keeps the tier's fixed delay
 * (due times within a partition stay in order, which the scheduler relies on). The push is bounded
 * by the longest tier: a {@code Retry-After} over 24 h waits 24 h.
 */
public final class RetryPlan {
  private RetryPlan() {}

  /**
   * @param failedAttempt the attempt that just failed, 1..4
   * @param tiers the configured delays, increasing
   * @return index into {@code tiers}
   */
  public static int tierFor(
      int failedAttempt, Optional<Duration> retryAfter, List<Duration> tiers) {
    int tier = failedAttempt - 1;
    if (retryAfter.isPresent()) {
      while (tier < tiers.size() - 1 && tiers.get(tier).compareTo(retryAfter.get()) < 0) {
        tier++;
      }
    }
    return tier;
  }
}
