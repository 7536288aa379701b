package com.flintn.webhooks.admin.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The dead-letter cursor: what a page writes is read back, anything else is refused. */
class DlqPagerCursorTest {
  private static final List<TopicPartition> PARTS =
      List.of(new TopicPartition("dlq", 0), new TopicPartition("dlq", 1));

  @Test
  void aCursorIsReadBackAsWritten() {
    Map<TopicPartition, Long> below =
        new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
    below.put(PARTS.get(0), 17L);
    below.put(PARTS.get(1), 0L);
    String cursor = DlqPager.encode(below);
    assertThat(cursor).matches("[A-Za-z0-9_-]+");
    assertThat(DlqPager.decode(cursor, PARTS)).isEqualTo(below);
  }

  @Test
  void anythingElseIsABadCursor() {
    for (String bad :
        List.of(
            "",
            "not base64!",
            b64("v2;0:1"),
            b64("v1"),
            b64("v1;0:-1"),
            b64("v1;7:1"),
            b64("v1;0:1;0:2"),
            b64("v1;0:x"),
            b64("v1;0"),
            "A".repeat(5000))) {
      assertThatThrownBy(() -> DlqPager.decode(bad, PARTS))
          .as(bad)
          .isInstanceOf(DlqPager.BadCursor.class)
          .hasMessageContaining("cursor");
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
