package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
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
}
