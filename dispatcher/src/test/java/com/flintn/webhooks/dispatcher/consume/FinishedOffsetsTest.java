package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FinishedOffsetsTest {

  @Test
  void namesTheRecordsFinishedBetweenTheUnfinishedOnes() {
    // read 100..119; unfinished 100, 101, 105, 110
    String metadata = FinishedOffsets.encode(new long[] {100, 101, 105, 110}, 120, 3000);
    assertThat(metadata).isEqualTo("f1:2.3.1.4.1.9");
    FinishedOffsets done = FinishedOffsets.decode(100, metadata);
    for (long o = 95; o < 125; o++) {
      boolean finished = o >= 102 && o < 120 && o != 105 && o != 110;
      assertThat(done.finished(o)).as("offset %d", o).isEqualTo(finished);
    }
    assertThat(done.end()).isEqualTo(120);
    assertThat(done.count()).isEqualTo(16);
  }

  @Test
  void nothingFinishedPastTheUnfinishedGivesNoMetadata() {
    assertThat(FinishedOffsets.encode(new long[] {7, 8, 9}, 10, 3000)).isEmpty();
    assertThat(FinishedOffsets.decode(7, "")).isNull();
  }

  @Test
  void neverNamesAnUnfinishedRecordOrOneNotYetRead() {
    Random random = new Random(42);
    for (int run = 0; run < 500; run++) {
      long base = random.nextInt(1_000_000);
      long next = base + 1 + random.nextInt(3_000);
      TreeSet<Long> unfinished = new TreeSet<>();
      unfinished.add(base);
      double share = random.nextDouble();
      for (long o = base + 1; o < next; o++) {
        if (random.nextDouble() < share) {
          unfinished.add(o);
        }
      }
      int maxChars = random.nextBoolean() ? FinishedOffsets.MAX_CHARS : 10 + random.nextInt(200);
      String metadata =
          FinishedOffsets.encode(
              unfinished.stream().mapToLong(Long::longValue).toArray(), next, maxChars);
      assertThat(metadata.length()).isLessThanOrEqualTo(maxChars);
      FinishedOffsets done = FinishedOffsets.decode(base, metadata);
      if (done == null) {
        continue;
      }
      assertThat(done.end()).isLessThanOrEqualTo(next);
      for (long o = base - 2; o < next + 2; o++) {
        boolean named = done.finished(o);
        boolean truth = o >= base && o < next && !unfinished.contains(o);
        if (named && !truth || !named && truth && o < done.end()) {
          throw new AssertionError(
              "offset " + o + " named " + named + ", finished " + truth + " in " + metadata);
        }
      }
    }
  }

  @Test
  void metadataItDidNotWriteIsIgnored() {
    assertThat(FinishedOffsets.decode(0, null)).isNull();
    assertThat(FinishedOffsets.decode(0, "something else")).isNull();
    assertThat(FinishedOffsets.decode(0, "f1:")).isNull();
    assertThat(FinishedOffsets.decode(0, "f1:2")).isNull();
    assertThat(FinishedOffsets.decode(0, "f1:2.0")).isNull();
    assertThat(FinishedOffsets.decode(0, "f1:2.-3")).isNull();
    assertThat(FinishedOffsets.decode(0, "f1:2.!")).isNull();
    assertThat(FinishedOffsets.decode(Long.MAX_VALUE - 1, "f1:2.3")).isNull();
  }
}
