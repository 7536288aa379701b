package com.flintn.webhooks.dispatcher.consume;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.dispatcher.consume.EndpointLimits.Admission;
import com.flintn.webhooks.dispatcher.consume.EndpointLimits.Lane;
import com.flintn.webhooks.testkit.BlockingCall;
import com.flintn.webhooks.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admission rules of {@link EndpointLimits}, without Kafka or HTTP: share of a partition, hold
 * time, the overflow lane's patience, stalled endpoints, host slots, stop and eviction.
 */
class EndpointLimitsTest {
  private static final EndpointId SLOW = EndpointId.of("ep_slow");
  private static final EndpointId OTHER = EndpointId.of("ep_other");
  private static final Duration LONG_HOLD = Duration.ofMinutes(10);

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T00:00:00Z"));

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  private static EndpointLimits limits(
      int inFlight, int queued, int perHost, int share, Duration hold) {
    return new EndpointLimits(inFlight, queued, perHost, share, hold, Clock.systemUTC());
  }

  /**
   * Limits with slots to spare, on {@link #clock}, so that only a rate limit makes a delivery wait;
   * a first delivery to {@link #SLOW} from the overflow lane, at {@code rate} a second with a burst
   * of one, has gone at once and used its token.
   */
  private EndpointLimits afterOneSentAtOnce(Object partition, int rate)
      throws InterruptedException {
    EndpointLimits l = new EndpointLimits(16, 64, 100, 100, LONG_HOLD, clock);
    permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, partition, rate)).release(true);
    return l;
  }

  /**
   * A delivery to {@link #SLOW} from the overflow lane, at {@code rate} a second, that waits for
   * its turn on the clock.
   */
  private BlockingCall<Admission> waitsForItsTurn(EndpointLimits l, Object partition, int rate) {
    BlockingCall<Admission> call = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, partition, rate);
    letItWait(call);
    return call;
  }

  private BlockingCall<Admission> enterAsync(
      EndpointLimits l, EndpointId e, String host, Lane lane, Object partition) {
    return enterAsync(l, e, host, lane, partition, 0);
  }

  private BlockingCall<Admission> enterAsync(
      EndpointLimits l, EndpointId e, String host, Lane lane, Object partition, int rate) {
    return BlockingCall.start(() -> l.enter(e, host, lane, partition, rate), threads);
  }

  private static Admission.Permit permit(Admission a) {
    assertThat(a).isInstanceOf(Admission.Permit.class);
    return (Admission.Permit) a;
  }

  /** Waits until the entry blocks (or, wrongly, ends), then checks that it waits for a slot. */
  private static void letItWait(BlockingCall<Admission> f) {
    f.awaitBlockedOrDone(Duration.ofSeconds(10));
    assertThat(f).as("still waiting for a slot").isNotDone();
  }

  /** {@code waiter} waits while {@code held} is taken and gets the slot once it is released. */
  private static void getsTheSlotOnceReleased(BlockingCall<Admission> waiter, Admission.Permit held)
      throws Exception {
    letItWait(waiter);
    held.release(true);
    permit(waiter.get(10, TimeUnit.SECONDS)).release(true);
  }

  @Test
  void anEndpointOverItsShareOfAPartitionOverflowsAtOnceWhileOthersStillGetSlots()
      throws Exception {
    EndpointLimits l = limits(1, 64, 100, 2, LONG_HOLD);
    Admission.Permit first = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    BlockingCall<Admission> second = enterAsync(l, SLOW, "slow:443", Lane.MAIN, "p0");
    letItWait(second);

    // two held from p0 (one in flight, one waiting): the third leaves for the overflow lane
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Overflow.class);
    // another endpoint on the same partition is not affected
    permit(l.enter(OTHER, "other:443", Lane.MAIN, "p0")).release(true);

    first.release(true);
    permit(second.get(10, TimeUnit.SECONDS)).release(true);
  }

  @Test
  void onceOverflowingLaterDeliveriesFollowUntilHalfTheSlotsAreFreeAgain() throws Exception {
    // no hold: a delivery that finds no free slot overflows at once
    EndpointLimits l = limits(4, 64, 100, 4, Duration.ZERO);
    Admission.Permit[] q = new Admission.Permit[4];
    for (int i = 0; i < 4; i++) {
      q[i] = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    }
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p1")).isInstanceOf(Admission.Overflow.class);
    q[0].release(true);
    // one of four slots free is not half: stay behind the deliveries already in the lane
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p1")).isInstanceOf(Admission.Overflow.class);
    q[1].release(true);
    q[2].release(true);
    // three free, more than half: served directly again
    permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p1")).release(true);
    q[3].release(true);
  }

  @Test
  void aDeliveryWaitingLongerThanTheHoldLimitOverflows() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 100, Duration.ofMillis(200));
    Admission.Permit busy = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    assertThat(enterAsync(l, SLOW, "slow:443", Lane.MAIN, "p0").get(10, TimeUnit.SECONDS))
        .isInstanceOf(Admission.Overflow.class);
    busy.release(true);
  }

  @Test
  void aHoldEndsByTheDispatchersClockWithoutARelease() throws Exception {
    EndpointLimits l = new EndpointLimits(1, 64, 100, 100, LONG_HOLD, clock);
    try {
      Admission.Permit busy = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
      BlockingCall<Admission> waiter = enterAsync(l, SLOW, "slow:443", Lane.MAIN, "p0");
      letItWait(waiter);
      clock.advance(LONG_HOLD.minusMillis(1));
      l.endHolds();
      assertThat(waiter).as("still within its hold").isNotDone();

      clock.advance(Duration.ofMillis(1));
      // the sweep, not a timer of the waiter's own, ends the hold: within a tick, no release
      assertThat(waiter.get(10, TimeUnit.SECONDS)).isInstanceOf(Admission.Overflow.class);
      busy.release(true);
    } finally {
      l.close();
    }
  }

  @Test
  void releasesWakeTheOldestWaitersOneEach() throws Exception {
    EndpointLimits l = limits(2, 64, 100, 100, LONG_HOLD);
    Admission.Permit a = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, null));
    Admission.Permit b = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, null));
    BlockingCall<Admission> first = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, null);
    letItWait(first);
    BlockingCall<Admission> second = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, null);
    letItWait(second);
    BlockingCall<Admission> third = enterAsync(l, SLOW, "slow:443", Lane.MAIN, "p0");
    letItWait(third);

    // two releases back to back: two different waiters, the oldest, each take a slot
    a.release(true);
    b.release(true);
    Admission.Permit p1 = permit(first.get(10, TimeUnit.SECONDS));
    Admission.Permit p2 = permit(second.get(10, TimeUnit.SECONDS));
    letItWait(third);
    p1.release(true);
    permit(third.get(10, TimeUnit.SECONDS)).release(true);
    p2.release(true);
  }

  @Test
  void theOverflowLaneWaitsForItsSlotAsLongAsItTakes() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 1, Duration.ZERO);
    Admission.Permit busy = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, null));
    BlockingCall<Admission> next = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, null);
    getsTheSlotOnceReleased(next, busy);
  }

  @Test
  void aStalledEndpointKeepsOnlyItsQueueAndDefersTheRestInBothLanes() throws Exception {
    EndpointLimits l = limits(2, 1, 100, 100, LONG_HOLD);
    // two requests in a row without an answer: stalled
    permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).release(false);
    permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).release(false);
    Admission.Permit a = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    Admission.Permit b = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, null));
    BlockingCall<Admission> queuedOne = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, null);
    letItWait(queuedOne);
    assertThat(l.enter(SLOW, "slow:443", Lane.OVERFLOW, null)).isInstanceOf(Admission.Defer.class);
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Defer.class);

    a.release(true); // an answer: no longer stalled, the queued one is served
    permit(queuedOne.get(10, TimeUnit.SECONDS)).release(true);
    b.release(true);
  }

  @Test
  void endpointsNamingOneHostShareItsSlots() throws Exception {
    EndpointLimits l = limits(16, 64, 1, 100, Duration.ofMillis(200));
    Admission.Permit first = permit(l.enter(SLOW, "shared.example:443", Lane.MAIN, "p0"));
    // the other endpoint has free slots of its own, but the host has none: after the hold, overflow
    assertThat(
            enterAsync(l, OTHER, "shared.example:443", Lane.MAIN, "p1").get(10, TimeUnit.SECONDS))
        .isInstanceOf(Admission.Overflow.class);
    // from the overflow lane it waits for the host
    BlockingCall<Admission> waiting =
        enterAsync(l, OTHER, "shared.example:443", Lane.OVERFLOW, null);
    getsTheSlotOnceReleased(waiting, first);
  }

  @Test
  void stopAbandonsWaitingAndNewDeliveries() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 100, LONG_HOLD);
    Admission.Permit busy = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    BlockingCall<Admission> mainWaiter = enterAsync(l, SLOW, "slow:443", Lane.MAIN, "p0");
    BlockingCall<Admission> laneWaiter = enterAsync(l, SLOW, "slow:443", Lane.OVERFLOW, null);
    letItWait(mainWaiter);
    letItWait(laneWaiter);

    l.stop();
    assertThat(mainWaiter.get(10, TimeUnit.SECONDS)).isInstanceOf(Admission.Abandon.class);
    assertThat(laneWaiter.get(10, TimeUnit.SECONDS)).isInstanceOf(Admission.Abandon.class);
    assertThat(l.enter(OTHER, "other:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Abandon.class);
    busy.release(true); // the request in flight still finishes
  }

  @Test
  void idleStateIsEvictedAndBusyStateKept() throws Exception {
    EndpointLimits l = limits(2, 64, 100, 100, LONG_HOLD);
    Admission.Permit busy = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    permit(l.enter(OTHER, "other:443", Lane.MAIN, "p0")).release(true);
    assertThat(l.tracked()).isEqualTo(4); // two endpoints, two hosts

    l.evictIdle();
    assertThat(l.tracked()).as("only the endpoint and host with a request in flight").isEqualTo(2);

    busy.release(true);
    l.evictIdle();
    assertThat(l.tracked()).isZero();
    // and an evicted endpoint starts afresh
    permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).release(true);
  }

  @Test
  void overflowCountsAreReportedMostFirstAndReset() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 1, LONG_HOLD);
    Admission.Permit a = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    Admission.Permit b = permit(l.enter(OTHER, "other:443", Lane.MAIN, "p0"));
    for (int i = 0; i < 3; i++) {
      assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Overflow.class);
    }
    assertThat(l.enter(OTHER, "other:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Overflow.class);

    assertThat(l.drainOverflowCounts())
        .extracting(e -> e.getKey().value() + "=" + e.getValue())
        .containsExactly("ep_slow=3", "ep_other=1");
    assertThat(l.drainOverflowCounts()).isEmpty();
    a.release(true);
    b.release(true);
  }

  @Test
  void aRateLimitedEndpointLeavesTheMainLanesAtOnceEvenWithFreeSlots() throws Exception {
    EndpointLimits l = limits(16, 64, 100, 100, LONG_HOLD);
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0", 5))
        .isInstanceOf(Admission.Overflow.class);
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p1", 5))
        .isInstanceOf(Admission.Overflow.class);
    assertThat(l.movedForRate()).isEqualTo(2);
    // its neighbours on the partition are served as before
    permit(l.enter(OTHER, "other:443", Lane.MAIN, "p0")).release(true);
  }

  @Test
  void fromTheOverflowLaneARateLimitedDeliveryWaitsForItsTurnOnTheClock() throws Exception {
    // 2 a second, a burst of one: the first goes at once, the next half a second later
    EndpointLimits l = afterOneSentAtOnce(null, 2);
    BlockingCall<Admission> second = waitsForItsTurn(l, null, 2);
    BlockingCall<Admission> third = waitsForItsTurn(l, null, 2);
    assertThat(l.pacedWaiting()).isEqualTo(2);
    // the endpoint has 16 free slots; only the clock lets them go, one token apart
    permit(l.enter(OTHER, "other:443", Lane.OVERFLOW, null)).release(true);

    clock.advance(Duration.ofMillis(500));
    CompletableFuture<Admission> first =
        CompletableFuture.anyOf(second, third).thenApply(a -> (Admission) a);
    permit(first.get(10, TimeUnit.SECONDS)).release(true);
    BlockingCall<Admission> last = second.isDone() ? third : second;
    letItWait(last);
    clock.advance(Duration.ofMillis(500));
    permit(last.get(10, TimeUnit.SECONDS)).release(true);
    assertThat(l.pacedWaiting()).isZero();
    assertThat(l.paced()).isEqualTo(2);
  }

  @Test
  void turnsThatCameDueTogetherAfterAPauseStillGoOneTokenApart() throws Exception {
    EndpointLimits l = afterOneSentAtOnce(null, 2);
    BlockingCall<Admission> second = waitsForItsTurn(l, null, 2);
    BlockingCall<Admission> third = waitsForItsTurn(l, null, 2);

    // Their turns were at +500 and +1000 ms; the process was held up until +1000 ms.
    clock.advance(Duration.ofMillis(1000));
    CompletableFuture<Admission> one =
        CompletableFuture.anyOf(second, third).thenApply(a -> (Admission) a);
    permit(one.get(10, TimeUnit.SECONDS)).release(true);
    CompletableFuture<Admission> other = second.isDone() ? third : second;
    // Each waiter sleeps at most until its own turn (in real time, here at most 1 s) before it
    // looks at the clock again; past that, only the clock decides, and it has not moved.
    Thread.sleep(1200);
    assertThat(other).as("not right behind the late one").isNotDone();
    clock.advance(Duration.ofMillis(500));
    permit(other.get(10, TimeUnit.SECONDS)).release(true);
  }

  @Test
  void stopAbandonsDeliveriesWaitingForTheirRateLimit() throws Exception {
    EndpointLimits l = afterOneSentAtOnce(null, 1);
    BlockingCall<Admission> waiting = waitsForItsTurn(l, null, 1);
    l.stop();
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(Admission.Abandon.class);
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0", 1)).isInstanceOf(Admission.Abandon.class);
  }

  @Test
  void aRevokedPartitionsDeliveriesStopWaitingForTheirTurnOthersKeepTheirs() throws Exception {
    EndpointLimits l = afterOneSentAtOnce("o0", 1);
    BlockingCall<Admission> moving = waitsForItsTurn(l, "o0", 1);
    BlockingCall<Admission> staying = waitsForItsTurn(l, "o1", 1);

    l.revoked(List.of("o0"));
    // the next owner reads it again and sends it; this dispatcher must not send it as well
    assertThat(moving.get(10, TimeUnit.SECONDS)).isInstanceOf(Admission.Abandon.class);
    letItWait(staying);

    l.assigned(List.of("o0"));
    BlockingCall<Admission> back = waitsForItsTurn(l, "o0", 1);
    clock.advance(Duration.ofSeconds(2));
    permit(staying.get(10, TimeUnit.SECONDS)).release(true);
    clock.advance(Duration.ofSeconds(1));
    permit(back.get(10, TimeUnit.SECONDS)).release(true);
  }

  @Test
  void aRateLimitedEndpointIsKeptUntilItsBucketIsFullAgain() throws Exception {
    EndpointLimits l = afterOneSentAtOnce(null, 1);
    l.evictIdle();
    assertThat(l.tracked()).as("the endpoint's used token is remembered").isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));
    l.evictIdle();
    assertThat(l.tracked()).isZero();
  }

  /** Queues a delivery without a thread; the future gets its ticket when its turn comes. */
  private static CompletableFuture<EndpointLimits.Ticket> queued(
      EndpointLimits l, EndpointId e, Lane lane, Object partition) {
    CompletableFuture<EndpointLimits.Ticket> started = new CompletableFuture<>();
    EndpointLimits.Ticket t = l.queue(e, lane, partition, 0, started::complete);
    assertThat(t).as("queued").isNotNull();
    assertThat(started).as("not started while the slot is taken").isNotDone();
    return started;
  }

  /** The delivery queued as {@code started} is started, gets its slot, and is done with it. */
  private static void takesItsSlot(
      EndpointLimits l, CompletableFuture<EndpointLimits.Ticket> started) throws Exception {
    permit(l.enter(started.get(10, TimeUnit.SECONDS), "slow:443")).release(true);
  }

  @Test
  void aDeliveryThatNeedNotWaitIsNotQueued() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    assertThat(l.queue(SLOW, Lane.MAIN, "p0", 0, t -> true)).isNull();
    Admission.Permit p = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    // rate-limited endpoints keep the threaded path, which paces them
    assertThat(l.queue(SLOW, Lane.OVERFLOW, "o0", 5, t -> true)).isNull();
    p.release(true);
    l.evictIdle();
    assertThat(l.tracked()).as("nothing left counted").isZero();
  }

  @Test
  void deliveriesQueuedWithoutThreadsAreStartedOneSlotAtATimeInTheirTurn() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    CompletableFuture<EndpointLimits.Ticket> first = queued(l, SLOW, Lane.MAIN, "p0");
    CompletableFuture<EndpointLimits.Ticket> second = queued(l, SLOW, Lane.OVERFLOW, "o0");

    held.release(true);
    EndpointLimits.Ticket t1 = first.get(10, TimeUnit.SECONDS);
    assertThat(second).as("one slot, one start").isNotDone();
    // the free slot is the started delivery's: a newcomer queues behind the others
    CompletableFuture<EndpointLimits.Ticket> third = queued(l, SLOW, Lane.MAIN, "p0");
    Admission.Permit p1 = permit(l.enter(t1, "slow:443"));
    p1.release(true);
    takesItsSlot(l, second);
    takesItsSlot(l, third);

    l.evictIdle();
    assertThat(l.tracked()).as("nothing left counted").isZero();
  }

  @Test
  void aQueuedDeliveryCountsTowardsItsEndpointsShareOfThePartition() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 2, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    CompletableFuture<EndpointLimits.Ticket> waiting = queued(l, SLOW, Lane.MAIN, "p0");
    // two held from p0: the third is not queued, and on its thread it overflows
    assertThat(l.queue(SLOW, Lane.MAIN, "p0", 0, t -> true)).isNull();
    assertThat(l.enter(SLOW, "slow:443", Lane.MAIN, "p0")).isInstanceOf(Admission.Overflow.class);
    held.release(true);
    takesItsSlot(l, waiting);
  }

  @Test
  void aQueuedDeliveryWhoseHoldIsOverIsStartedAndLeavesForTheOverflowLane() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, Duration.ofMillis(200));
    try {
      Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
      CompletableFuture<EndpointLimits.Ticket> waiting = queued(l, SLOW, Lane.MAIN, "p0");
      EndpointLimits.Ticket t = waiting.get(10, TimeUnit.SECONDS); // started by the hold sweep
      assertThat(l.enter(t, "slow:443")).isInstanceOf(Admission.Overflow.class);
      held.release(true);
    } finally {
      l.close();
    }
  }

  @Test
  void aStopStartsEveryQueuedDeliveryToBeAbandoned() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    CompletableFuture<EndpointLimits.Ticket> a = queued(l, SLOW, Lane.MAIN, "p0");
    CompletableFuture<EndpointLimits.Ticket> b = queued(l, SLOW, Lane.OVERFLOW, "o0");
    l.stop();
    assertThat(l.enter(a.get(10, TimeUnit.SECONDS), "slow:443"))
        .isInstanceOf(Admission.Abandon.class);
    assertThat(l.enter(b.get(10, TimeUnit.SECONDS), "slow:443"))
        .isInstanceOf(Admission.Abandon.class);
    assertThat(l.queue(OTHER, Lane.MAIN, "p0", 0, t -> true))
        .as("nothing queued once stopping")
        .isNull();
    held.release(true);
  }

  /**
   * A queued delivery whose turn came before a stop, but whose thread enters only after it (a
   * thread that had it handed on was still recording its own attempt), finds its slot free and must
   * still not send: nothing new goes out while stopping.
   */
  @Test
  void aDeliveryWokenBeforeAStopButEnteringAfterItIsAbandonedThoughItsSlotIsFree()
      throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    CompletableFuture<EndpointLimits.Ticket> woken = queued(l, SLOW, Lane.MAIN, "p0");
    held.release(true); // its turn: the slot is free for it
    EndpointLimits.Ticket t = woken.get(10, TimeUnit.SECONDS);
    l.stop();
    assertThat(l.enter(t, "slow:443")).isInstanceOf(Admission.Abandon.class);
    l.evictIdle();
    assertThat(l.tracked()).as("nothing left counted").isZero();
  }

  @Test
  void aQueuedDeliveryThatFindsItsSlotTakenWaitsOnItsThreadInItsPlace() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, "o0"));
    CompletableFuture<EndpointLimits.Ticket> first = queued(l, SLOW, Lane.OVERFLOW, "o0");
    held.release(true);
    EndpointLimits.Ticket t = first.get(10, TimeUnit.SECONDS);
    // before its thread runs, a delivery that found the slot free takes it
    Admission.Permit thief = permit(l.enter(SLOW, "slow:443", Lane.OVERFLOW, "o0"));
    BlockingCall<Admission> resumed = BlockingCall.start(() -> l.enter(t, "slow:443"), threads);
    letItWait(resumed);
    CompletableFuture<EndpointLimits.Ticket> later = queued(l, SLOW, Lane.OVERFLOW, "o0");
    thief.release(true);
    permit(resumed.get(10, TimeUnit.SECONDS)).release(true);
    takesItsSlot(l, later);
  }

  @Test
  void aQueuedDeliveryWhoseThreadCannotStartLeavesTheQueueAndTheNextGetsTheSlot() throws Exception {
    EndpointLimits l = limits(1, 64, 100, 4, LONG_HOLD);
    Admission.Permit held = permit(l.enter(SLOW, "slow:443", Lane.MAIN, "p0"));
    List<EndpointLimits.Ticket> refused = new ArrayList<>();
    assertThat(
            l.queue(
                SLOW,
                Lane.MAIN,
                "p0",
                0,
                t -> {
                  refused.add(t);
                  return false; // as when the workers are shut down
                }))
        .isNotNull();
    CompletableFuture<EndpointLimits.Ticket> next = queued(l, SLOW, Lane.MAIN, "p0");

    held.release(true);
    assertThat(refused).as("its start was tried").hasSize(1);
    takesItsSlot(l, next);
    l.evictIdle();
    assertThat(l.tracked()).as("the refused delivery left nothing counted").isZero();
  }
}
