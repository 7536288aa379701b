package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poll loop's commit rules without a broker: a {@link MockConsumer} and work whose completion
 * each test decides. Everything the loop does to the consumer runs on the loop's own thread (poll
 * tasks), as with a real consumer.
 */
class DeliveryLoopTest {
  private static final String EVENTS = "t.events";
  private static final TopicPartition P0 = new TopicPartition(EVENTS, 0);

  private final TestConsumer consumer = new TestConsumer();
  private final Work work = new Work();
  private final DeliveryLoop loop =
      new DeliveryLoop(
          consumer,
          List.of(EVENTS),
          "t.overflow",
          work,
          new EndpointLimits(16, 64, 256, 250, Duration.ofSeconds(5), Clock.systemUTC()),
          1000,
          Duration.ofSeconds(1),
          Clock.systemUTC());
  private final Thread thread = Thread.ofPlatform().name("test-poll").unstarted(loop);

  /** A mock consumer that stays readable after the loop closes it, so commits can be checked. */
  private static final class TestConsumer extends MockConsumer<byte[], byte[]> {
    volatile boolean closeCalled;

    /** How long the loop's latest poll was allowed to wait. */
    volatile @Nullable Duration lastTimeout;

    TestConsumer() {
      super("earliest");
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      lastTimeout = timeout;
      return super.poll(timeout);
    }

    @Override
    public void close(CloseOptions options) {
      closeCalled = true;
    }
  }

  /** Work of each offset of P0, completed by the test. */
  private static final class Work implements RecordWork {
    final Map<Long, CompletableFuture<Void>> started = new ConcurrentHashMap<>();

    @Override
    public void beforeBatch(ConsumerRecords<byte[], byte[]> records, LogEnds ends) {}

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> r) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      started.put(r.offset(), f);
      return f;
    }

    @Override
    public Optional<String> hold() {
      return Optional.empty();
    }

    CompletableFuture<Void> of(long offset) {
      await().atMost(Duration.ofSeconds(10)).until(() -> started.containsKey(offset));
      return started.get(offset);
    }
  }

  @AfterEach
  void stopLoop() throws InterruptedException {
    if (thread.isAlive()) {
      loop.stop(false, Duration.ZERO);
      thread.join(10_000);
    }
  }

  /** Starts the loop with P0 assigned, its committed offset {@code committed} (if any). */
  private void start(OffsetAndMetadata committed) {
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    if (committed != null) {
      // As a previous owner would leave it: committed, then the partition moves here anew.
      consumer.schedulePollTask(() -> consumer.commitSync(Map.of(P0, committed)));
      consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
      consumer.schedulePollTask(() -> consumer.rebalance(List.of(P0)));
    }
    thread.start();
  }

  private void add(long from, long to) {
    consumer.schedulePollTask(
        () -> {
          for (long o = from; o < to; o++) {
            consumer.addRecord(new ConsumerRecord<>(EVENTS, 0, o, new byte[0], new byte[0]));
          }
        });
  }

  private OffsetAndMetadata committed() {
    return consumer.committed(Set.of(P0)).get(P0);
  }

  private long committedOffset() {
    OffsetAndMetadata c = committed();
    return c == null ? -1 : c.offset();
  }

  @Test
  void commitsStopAtTheFirstUnfinishedRecordAndNameWhatFinishedPastIt() {
    start(null);
    add(0, 5);
    for (long o : new long[] {0, 1, 3, 4}) {
      work.of(o).complete(null);
    }
    // Commits come every 200 ms: wait for the one made after all four finished.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              FinishedOffsets past =
                  committedOffset() == 2 ? FinishedOffsets.decode(2, committed().metadata()) : null;
              return past != null && past.finished(3) && past.finished(4);
            });
    assertThat(FinishedOffsets.decode(2, committed().metadata()).finished(2)).isFalse();

    work.of(2).complete(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 5);
  }

  @Test
  void aPartitionPausedForItsWindowIsPolledForInShortSlicesAndResumedOnceHalfDrained() {
    start(null);
    add(0, 1000);
    work.of(999);
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.paused().contains(P0));
    // A poll that waited its usual 100 ms would leave the drained window idle that long.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> DeliveryLoop.POLL_WHILE_PAUSED.equals(consumer.lastTimeout));

    add(1000, 1001);
    for (long o = 0; o < 499; o++) {
      work.started.get(o).complete(null); // all began with offset 999, in one batch
    }
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> consumer.paused().contains(P0) && !work.started.containsKey(1000L));
    work.of(499).complete(null); // half the window finished: read on
    work.of(1000);
    await().atMost(Duration.ofSeconds(10)).until(() -> consumer.paused().isEmpty());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> DeliveryLoop.POLL.equals(consumer.lastTimeout));
  }

  @Test
  void workThatFailedForGoodStopsItsPartitionAndIsNeverCommittedPast() {
    start(null);
    add(0, 5);
    work.of(0).complete(null);
    work.of(1).completeExceptionally(new RecordTooLargeException("too large for the tier topic"));
    for (long o : new long[] {2, 3, 4}) {
      work.of(o).complete(null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !loop.stoppedPartitions().isEmpty());
    assertThat(loop.stoppedPartitions().get(P0).toString())
        .contains("t.events-0 stopped at offset 1")
        .contains("RecordTooLargeException");
    await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 1);

    // The partition is paused: what arrives later is not read, and the commit stays put.
    add(5, 8);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !work.started.containsKey(5L) && committedOffset() == 1);
    assertThat(consumer.paused()).contains(P0);
  }

  @Test
  void aGracefulStopCommitsWhatFinishedAndLeavesTheRestForTheNextOwner() throws Exception {
    start(null);
    add(0, 4);
    work.of(0).complete(null);
    work.of(1).complete(null);
    work.of(3).complete(null);
    work.of(2); // begun, never answered

    loop.stop(true, Duration.ofSeconds(4)); // 1 s to drain, 3 s kept for the commit and close
    thread.join(10_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(consumer.closeCalled).isTrue();
    assertThat(committed().offset()).isEqualTo(2);
    FinishedOffsets past = FinishedOffsets.decode(2, committed().metadata());
    assertThat(past.finished(3)).isTrue();
  }

  @Test
  void aNewOwnerSkipsWhatThePreviousOneFinishedPastItsCommit() {
    // The previous owner committed at 2, with 3 and 4 finished past it.
    start(new OffsetAndMetadata(2, FinishedOffsets.encode(new long[] {2}, 5, 3000)));
    add(0, 6);
    work.of(2).complete(null);
    work.of(5).complete(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> committedOffset() == 6);
    assertThat(work.started.keySet()).containsExactlyInAnyOrder(2L, 5L);
  }
}
