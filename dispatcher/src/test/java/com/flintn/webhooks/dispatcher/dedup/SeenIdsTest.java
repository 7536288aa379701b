package com.flintn.webhooks.dispatcher.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeenIdsTest {
  private static final long T0 = 1_800_000_000_000L;
  private static final Duration DAY = Duration.ofHours(24);

  @Test
  void aNewIdIsRememberedAndItsRepeatNamesTheFirstOffset() {
    SeenIds seen = new SeenIds(DAY, Integer.MAX_VALUE);
    assertThat(seen.firstSeen(42, 7, T0)).isEqualTo(SeenIds.NEW);
    assertThat(seen.firstSeen(42, 9, T0 + 1000)).isEqualTo(7);
    assertThat(seen.firstSeen(43, 10, T0 + 1000)).isEqualTo(SeenIds.NEW);
    assertThat(seen.size()).isEqualTo(2);
  }

  @Test
  void theSameRecordReadAgainAnswersItsOwnOffset() {
    SeenIds seen = new SeenIds(DAY, Integer.MAX_VALUE);
    long offset = 5_000_000_123L; // above 32 bits: the low 32 bits are compared
    seen.firstSeen(42, offset, T0);
    assertThat(seen.firstSeen(42, offset, T0 + 5000)).isEqualTo((int) offset);
    assertThat(seen.firstSeen(42, offset + 1, T0 + 5000)).isNotEqualTo((int) (offset + 1));
  }

  @Test
  void anIdIsForgottenAfterTheWindowNeverBefore() {
    SeenIds seen = new SeenIds(Duration.ofMinutes(1), Integer.MAX_VALUE);
    seen.firstSeen(42, 1, T0);
    assertThat(seen.firstSeen(42, 2, T0 + 60_000 - 1)).isEqualTo(1);
    // Within the second the window ends in, the sighting may still count (at most a second late).
    assertThat(seen.firstSeen(42, 2, T0 + 61_000)).isEqualTo(SeenIds.NEW);
    // The later sighting is the first one now.
    assertThat(seen.firstSeen(42, 3, T0 + 61_500)).isEqualTo(2);
  }

  @Test
  void theZeroHashIsAnIdLikeAnyOther() {
    SeenIds seen = new SeenIds(DAY, Integer.MAX_VALUE);
    assertThat(seen.firstSeen(0, 1, T0)).isEqualTo(SeenIds.NEW);
    assertThat(seen.firstSeen(0, 2, T0)).isEqualTo(1);
  }

  @Test
  void growsForManyIdsAndKeepsEveryOne() {
    SeenIds seen = new SeenIds(DAY, Integer.MAX_VALUE);
    SplittableRandom random = new SplittableRandom(1);
    long[] ids = new long[200_000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextLong();
      assertThat(seen.firstSeen(ids[i], i, T0)).isEqualTo(SeenIds.NEW);
    }
    for (int i = 0; i < ids.length; i++) {
      assertThat(seen.firstSeen(ids[i], ids.length + i, T0)).isEqualTo(i);
    }
    assertThat(seen.size()).isEqualTo(ids.length);
    // At most three quarters full: 16 bytes a slot, at most 43 bytes an id.
    assertThat(seen.bytes()).isLessThanOrEqualTo(43L * ids.length);
  }

  @Test
  void expiredIdsAreDroppedWhenTheTableFillsSoMemoryFollowsTheWindow() {
    SeenIds seen = new SeenIds(Duration.ofSeconds(10), Integer.MAX_VALUE);
    SplittableRandom random = new SplittableRandom(2);
    // 100 ids a second for 10 minutes: the window never holds more than about 1,100.
    for (int i = 0; i < 60_000; i++) {
      seen.firstSeen(random.nextLong(), i, T0 + i * 10L);
    }
    assertThat(seen.size()).isLessThan(3 * 1024);
    assertThat(seen.bytes()).isLessThanOrEqualTo(16L * 4096);
  }

  @Test
  void atMaxIdsTheOldestAreForgottenFirstSoMemoryIsBoundedWhateverTheRate() {
    SeenIds seen = new SeenIds(DAY, 10_000);
    SplittableRandom random = new SplittableRandom(3);
    long[] ids = new long[50_000];
    // 1,000 ids a second for 50 s, five times what may be held.
    for (int i = 0; i < ids.length; i++) {
      ids[i] = random.nextLong();
      seen.firstSeen(ids[i], i, T0 + i);
    }
    assertThat(seen.size()).isLessThanOrEqualTo(10_000);
    assertThat(seen.bytes()).isLessThanOrEqualTo(16L * 16_384);
    assertThat(seen.forgotten()).isEqualTo(ids.length - seen.size());
    // The newest are still held, the oldest are not.
    long now = T0 + ids.length;
    assertThat(seen.firstSeen(ids[ids.length - 1], -1, now)).isEqualTo(ids.length - 1);
    assertThat(seen.firstSeen(ids[ids.length - 8000], -1, now)).isEqualTo(ids.length - 8000);
    assertThat(seen.firstSeen(ids[0], -1, now)).isEqualTo(SeenIds.NEW);
    assertThat(seen.keptFromSecond()).isGreaterThan(T0 / 1000);
  }

  @Test
  void restoredSightingsCountAsFirstSightingsAndOldOnesAreSkipped() {
    SeenIds seen = new SeenIds(Duration.ofMinutes(1), Integer.MAX_VALUE);
    long now = T0 + 120_000;
    seen.restore(1, 10, T0, now); // older than the window: skipped
    seen.restore(2, 11, now - 30_000, now);
    seen.restore(2, 12, now - 20_000, now); // a later sighting of the same id replaces it
    assertThat(seen.firstSeen(1, 20, now)).isEqualTo(SeenIds.NEW);
    assertThat(seen.firstSeen(2, 21, now)).isEqualTo(12);
    assertThat(seen.firstSeen(2, 12, now)).isEqualTo(12); // the record at 12 read again
  }
}
