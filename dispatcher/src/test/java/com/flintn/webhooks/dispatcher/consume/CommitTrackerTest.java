package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CommitTrackerTest {
  private final TopicPartition tp = new TopicPartition("t", 0);

  @Test
  void neverCommitsPastAnUnfinishedRecord() {
    CommitTracker tracker = new CommitTracker();
    CommitTracker.Progress p = tracker.assign(tp);
    assertThat(p.committable()).isEqualTo(OptionalLong.empty());
    for (long o = 10; o < 15; o++) {
      p.begin(o);
    }
    p.finish(11);
    p.finish(12);
    assertThat(p.committable()).hasValue(10);
    p.finish(10);
    assertThat(p.committable()).hasValue(13);
    p.finish(14);
    assertThat(p.committable()).hasValue(13);
    p.finish(13);
    assertThat(p.committable()).hasValue(15);
    assertThat(p.inFlight()).isZero();
  }

  @Test
  void theCommitNamesWhatIsFinishedPastIt() {
    CommitTracker.Progress p = new CommitTracker().assign(tp);
    assertThat(p.commitPoint()).isNull();
    for (long o = 10; o < 15; o++) {
      p.begin(o);
    }
    p.finish(11);
    p.finish(12);
    p.finish(14);
    OffsetAndMetadata c = p.commitPoint();
    assertThat(c.offset()).isEqualTo(10);
    FinishedOffsets done = FinishedOffsets.decode(c.offset(), c.metadata());
    assertThat(List.of(10L, 11L, 12L, 13L, 14L).stream().filter(done::finished))
        .containsExactly(11L, 12L, 14L);
    p.finish(10);
    p.finish(13);
    assertThat(p.commitPoint()).isEqualTo(new OffsetAndMetadata(15));
  }

  @Test
  void abandonedWorkIsNotWaitedForNorCommittedPast() {
    CommitTracker.Progress p = new CommitTracker().assign(tp);
    for (long o = 0; o < 4; o++) {
      p.begin(o);
    }
    p.abandon(1);
    p.abandon(9); // never begun: ignored
    assertThat(p.inFlight()).isEqualTo(4);
    assertThat(p.working()).isEqualTo(3);
    p.finish(0);
    p.finish(2);
    p.finish(3);
    assertThat(p.working()).isZero();
    assertThat(p.committable()).hasValue(1);
    FinishedOffsets done = FinishedOffsets.decode(1, p.commitPoint().metadata());
    assertThat(done.finished(1)).isFalse();
    assertThat(done.finished(2)).isTrue();
  }

  @Test
  void workFinishingAfterRevocationDoesNotTouchTheNewAssignment() {
    CommitTracker tracker = new CommitTracker();
    CommitTracker.Progress old = tracker.assign(tp);
    old.begin(5);
    tracker.revoke(tp);
    CommitTracker.Progress fresh = tracker.assign(tp);
    fresh.begin(5);
    old.finish(5);
    assertThat(fresh.committable()).hasValue(5);
    assertThat(tracker.progress(tp)).isSameAs(fresh);
  }

  /**
   * The tracker against the plainest model of it (sets of unfinished and abandoned offsets) over
   * random windows: records begun mostly in order, sometimes out of it or again, finished and
   * abandoned in any order, enough of them to grow and compact its arrays many times.
   */
  @Test
  void agreesWithSetsOfOffsetsOverRandomWork() {
    Random random = new Random(20261207);
    for (int round = 0; round < 50; round++) {
      CommitTracker.Progress p = new CommitTracker().assign(tp);
      TreeSet<Long> pending = new TreeSet<>();
      TreeSet<Long> abandoned = new TreeSet<>();
      long next = -1;
      long offset = random.nextInt(1000);
      for (int step = 0; step < 3000; step++) {
        int what = random.nextInt(10);
        if (what < 4 || pending.isEmpty()) {
          long o = random.nextInt(50) == 0 ? offset - random.nextInt(300) : offset++;
          if (o < 0) {
            continue;
          }
          p.begin(o);
          pending.add(o);
          next = Math.max(next, o + 1);
        } else {
          List<Long> open = List.copyOf(pending);
          long o =
              random.nextInt(20) == 0
                  ? offset + 5
                  : open.get(random.nextInt(Math.min(open.size(), 1 + random.nextInt(200))));
          if (what < 9) {
            p.finish(o);
            pending.remove(o);
            abandoned.remove(o);
          } else {
            p.abandon(o);
            if (pending.contains(o)) {
              abandoned.add(o);
            }
          }
        }
        assertThat(p.inFlight()).isEqualTo(pending.size());
        assertThat(p.working()).isEqualTo(pending.size() - abandoned.size());
        assertThat(p.committable()).hasValue(pending.isEmpty() ? next : pending.first());
      }
      OffsetAndMetadata c = p.commitPoint();
      if (pending.isEmpty()) {
        assertThat(c).isEqualTo(new OffsetAndMetadata(next));
      } else {
        assertThat(c.offset()).isEqualTo(pending.first());
        FinishedOffsets done = FinishedOffsets.decode(c.offset(), c.metadata());
        for (long o = pending.first(); o < Math.min(next, pending.first() + 500); o++) {
          if (pending.contains(o) && done != null) {
            assertThat(done.finished(o)).as("offset %d", o).isFalse();
          }
        }
      }
    }
  }
}
