package com.flintn.webhooks.testkit;

import com.flintn.webhooks.common.topic.TopicCatalog;
import java.time.Duration;
import java.util.List;

/** Topic catalogues for tests that need topic names and serdes without a broker. */
public final class TopicCatalogs {
  private TopicCatalogs() {}

  /** The topics under {@code prefix} with the default retry tiers: 5 min, 30 min, 2 h, 24 h. */
  public static TopicCatalog withDefaultTiers(String prefix) {
    return new TopicCatalog(
        prefix,
        List.of(
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(24)));
  }
}
