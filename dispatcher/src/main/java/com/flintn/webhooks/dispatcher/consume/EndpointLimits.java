package com.flintn.webhooks.dispatcher.consume;

import com.flintn.webhooks.common.message.EndpointId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Isolates endpoints, and the hosts they name, from each other (docs/design.md, "Tenant
 * isolation"). Every delivery asks here for a slot before it is sent, and gets one of four answers
 * ({@link Admission}):
 *
 * <ul>
 *   <li><b>a permit</b>: at most {@code inFlight} requests go to one endpoint and at most {@code
 *       perHost} to one host (host and port) at once;
 *   <li><b>overflow</b>, for a delivery read from a main lane (events, due deliveries) whose
 *       endpoint already holds its share of that partition's window ({@code share} deliveries
 *       waiting or in flight), or one that has waited {@code holdLimit} for a slot. It leaves the
 *       partition for the overflow lane, unattempted. Once an endpoint overflows, its later
 *       deliveries follow the same way while fewer than half its slots are free, so they stay
 *       behind the earlier ones (about arrival order, not strictly: one that finds the endpoint
 *       half idle goes ahead);
 *   <li><b>defer</b>, when the endpoint is stalled: its last {@code inFlight} requests in a row got
 *       no answer at all (any HTTP status is an answer). Then only {@code queued} deliveries may
 *       keep waiting for it; the others go to the first retry tier. This holds in both lanes, so an
 *       endpoint that stops answering is retried, dead-lettered and disabled as before;
 *   <li><b>abandon</b>, once {@link #stop()} was called: nothing new is sent while stopping.
 * </ul>
 *
 * A delivery read from the overflow lane waits for its slot as long as it takes: that lane is read
 * at the endpoint's own pace.
 *
 * <p>An endpoint with a rate limit of its own (docs/design.md §6.6) is paced where exactly one
 * dispatcher reads it: every delivery of it read from a main lane overflows at once, and one read
 * from the overflow lane first waits for its turn in the endpoint's {@link TokenBucket}, then for a
 * slot as above. State of an endpoint or host with nothing in flight or waiting is dropped by
 * {@link #evictIdle}. Thread safe.
 *
 * <p>A delivery waiting for a slot waits on a condition of its own, with no timer: a timed wait of
 * a virtual thread arms and cancels a timer in the JDK's one delay scheduler, and when a backlog
 * makes every delivery wait that was a tenth of the dispatcher's CPU (docs/design.md §12). A
 * release wakes the oldest waiter; a sweep every {@code holdLimit / 20} (5 to 100 ms) wakes the
 * main-lane waiters whose hold is over, so a hold ends within one tick of its limit.
 */
final class EndpointLimits implements AutoCloseable {
  private static final long MIN_TICK_MILLIS = 5;
  private static final long MAX_TICK_MILLIS = 100;

  private final int inFlight;
  private final int queued;
  private final int perHost;
  private final int share;
  private final Duration holdLimit;
  private final Clock clock;
  private final Map<EndpointId, Slots> endpoints = new ConcurrentHashMap<>();
  private final Map<String, Slots> hosts = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private final AtomicInteger pacedWaiting = new AtomicInteger();
  private final AtomicLong paced = new AtomicLong();
  private final AtomicLong movedForRate = new AtomicLong();

  /** Partitions no longer this dispatcher's: deliveries from them stop waiting for their turn. */
  private final Set<Object> revoked = ConcurrentHashMap.newKeySet();

  /** Ends holds that are over; started with the first wait that has a hold limit. */
  private volatile @Nullable ScheduledExecutorService holdSweeper;

  private boolean closed;

  EndpointLimits(
      int inFlight, int queued, int perHost, int share, Duration holdLimit, Clock clock) {
    this.inFlight = inFlight;
    this.queued = queued;
    this.perHost = perHost;
    this.share = Math.max(1, share);
    this.holdLimit = holdLimit;
    this.clock = clock;
  }

  /** The sweep's period for {@code holdLimit}: a twentieth of it, 5 to 100 ms. */
  static long tickMillis(Duration holdLimit) {
    return Math.clamp(holdLimit.toMillis() / 20, MIN_TICK_MILLIS, MAX_TICK_MILLIS);
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the task runs until close shuts the executor
  private synchronized void startHoldSweeper() {
    if (holdSweeper != null || closed) {
      return;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dispatcher-hold-sweep");
              t.setDaemon(true);
              return t;
            });
    long tick = tickMillis(holdLimit);
    s.scheduleWithFixedDelay(this::endHolds, tick, tick, TimeUnit.MILLISECONDS);
    holdSweeper = s;
  }

  /** Wakes every main-lane delivery whose hold is over; it then leaves for the overflow lane. */
  void endHolds() {
    long now = clock.millis();
    for (Map<?, Slots> m : List.of(endpoints, hosts)) {
      for (Slots s : m.values()) {
        if (s.timed.get() > 0) {
          s.lock.lock();
          try {
            s.wakeExpired(now);
          } finally {
            s.lock.unlock();
          }
        }
      }
    }
  }

  /** Stops the hold sweep; call after {@link #stop()}. */
  @Override
  public synchronized void close() {
    closed = true;
    if (holdSweeper != null) {
      holdSweeper.shutdownNow();
    }
  }

  /** Where a delivery was read from. */
  enum Lane {
    /** {@code webhooks.events} and {@code webhooks.deliveries.due}: shared by every endpoint. */
    MAIN,
    /** {@code webhooks.overflow}: deliveries of endpoints that were over their share. */
    OVERFLOW
  }

  /** What a delivery may do now. */
  sealed interface Admission {
    /** Send now; release when the request is done. */
    non-sealed interface Permit extends Admission {
      /**
       * Gives the slots back.
       *
       * @param answered whether the endpoint sent a response (of any status)
       */
      void release(boolean answered);
    }

    /** Over its endpoint's share of a main lane: move to the overflow lane, unattempted. */
    record Overflow() implements Admission {}

    /** The endpoint is stalled and enough deliveries already wait for it: first retry tier. */
    record Defer() implements Admission {}

    /** The dispatcher is stopping: leave the delivery unfinished. */
    record Abandon() implements Admission {}
  }

  private static final Admission OVERFLOW = new Admission.Overflow();
  private static final Admission DEFER = new Admission.Defer();
  private static final Admission ABANDON = new Admission.Abandon();

  /**
   * Blocks (cheaply, on a virtual thread) until a delivery to {@code endpoint} at {@code host} may
   * be sent, or says where else it goes.
   *
   * @param partition the partition the delivery was read from, whose window the share is of
   */
  Admission enter(EndpointId endpoint, String host, Lane lane, @Nullable Object partition)
      throws InterruptedException {
    return enter(endpoint, host, lane, partition, 0);
  }

  /**
   * As {@link #enter(EndpointId, String, Lane, Object)}, for an endpoint limited to {@code
   * rateLimit} deliveries a second (0: no limit of its own). Such a delivery read from a main lane
   * overflows at once; one read from the overflow lane waits for its token first.
   */
  Admission enter(
      EndpointId endpoint, String host, Lane lane, @Nullable Object partition, int rateLimit)
      throws InterruptedException {
    boolean main = lane == Lane.MAIN;
    if (rateLimit > 0 && main) {
      if (stopping) {
        return ABANDON;
      }
      // Paced only by the one dispatcher that reads its overflow partition: that is what makes
      // the limit hold across dispatchers without any coordination between them.
      movedForRate.incrementAndGet();
      return OVERFLOW;
    }
    Slots e = use(endpoints, endpoint, inFlight);
    long deadline = main ? clock.millis() + holdLimit.toMillis() : Long.MAX_VALUE;
    Admission a = null;
    e.lock.lock();
    try {
      if (rateLimit > 0) {
        a = e.pace(rateLimit, partition);
      }
      if (a == null) {
        a = e.acquire(main ? partition : null, deadline);
      }
    } finally {
      e.lock.unlock();
      if (!(a instanceof Admission.Permit)) {
        e.users.decrementAndGet(); // also when interrupted
      }
    }
    return withHost(e, a, host, main ? partition : null, deadline);
  }

  /**
   * For a delivery that has no thread yet: if it would now wait for a slot of its endpoint, queues
   * it in its turn without a thread and returns its ticket. When its turn comes (a slot, a stop, a
   * stall, its hold over), {@code start} is given the ticket, under the endpoint's lock, to hand
   * the delivery to a thread, which then calls {@link #enter(Ticket, String)} and goes on as if it
   * had waited in {@link #enter(EndpointId, String, Lane, Object, int)}. {@code start} says whether
   * it could; if not (the executor shut down), the delivery leaves the queue uncounted, and its
   * caller has to settle it. Null when it would not wait (or is rate-limited): the caller starts
   * its thread and calls that {@code enter} at once.
   *
   * <p>A parked virtual thread costs a park and an unpark, and its stack is copied to the heap
   * while it waits; under a backlog nearly every delivery waits, so this keeps threads for
   * deliveries that can go (docs/design.md §6.2).
   */
  @Nullable Ticket queue(
      EndpointId endpoint,
      Lane lane,
      @Nullable Object partition,
      int rateLimit,
      Predicate<Ticket> start) {
    boolean main = lane == Lane.MAIN;
    if (rateLimit > 0 || stopping || (main && partition == null)) {
      return null;
    }
    Slots e = use(endpoints, endpoint, inFlight);
    long deadline = main ? clock.millis() + holdLimit.toMillis() : Long.MAX_VALUE;
    e.lock.lock();
    try {
      Ticket t = e.queueWithoutThread(main ? partition : null, deadline, start);
      if (t != null) {
        return t; // the endpoint's users count stays raised for it
      }
    } finally {
      e.lock.unlock();
    }
    e.users.decrementAndGet();
    return null;
  }

  /** Goes on, on the delivery's own thread, from where {@link #queue} left it. */
  Admission enter(Ticket ticket, String host) throws InterruptedException {
    Slots e = ticket.slots;
    Admission a = null;
    e.lock.lock();
    try {
      a = e.waitFor(ticket.partition, ticket.waiter.deadline, ticket.waiter);
    } finally {
      e.lock.unlock();
      if (!(a instanceof Admission.Permit)) {
        e.users.decrementAndGet(); // also when interrupted
      }
    }
    return withHost(e, a, host, ticket.partition, ticket.waiter.deadline);
  }

  /** A delivery queued without a thread by {@link #queue}. */
  static final class Ticket {
    private final Slots slots;
    private final Waiter waiter;
    private final @Nullable Object partition;

    private Ticket(Slots slots, Waiter waiter, @Nullable Object partition) {
      this.slots = slots;
      this.waiter = waiter;
      this.partition = partition;
    }
  }

  /** With the endpoint's answer {@code a}: a host slot too, if it is a permit. */
  private Admission withHost(
      Slots e, Admission a, String host, @Nullable Object partition, long deadline)
      throws InterruptedException {
    if (!(a instanceof Admission.Permit)) {
      return a;
    }
    Slots h = use(hosts, host, perHost);
    Admission hostAnswer;
    h.lock.lock();
    try {
      hostAnswer = h.acquireHost(deadline);
    } finally {
      h.lock.unlock();
    }
    if (hostAnswer != null) {
      h.users.decrementAndGet();
      e.release(true, partition, hostAnswer instanceof Admission.Overflow);
      e.users.decrementAndGet();
      return hostAnswer;
    }
    return (Admission.Permit)
        answered -> {
          h.release(true, null, false);
          h.users.decrementAndGet();
          e.release(answered, partition, false);
          e.users.decrementAndGet();
        };
  }

  /** From now on every waiting and every new delivery is abandoned. */
  void stop() {
    stopping = true;
    for (Map<?, Slots> m : List.of(endpoints, hosts)) {
      for (Slots s : m.values()) {
        s.lock.lock();
        try {
          s.wakeAll();
          s.turn.signalAll();
        } finally {
          s.lock.unlock();
        }
      }
    }
  }

  /**
   * The partitions (as passed to {@link #enter}) are no longer this dispatcher's: deliveries read
   * from them that wait for their rate limit's turn are abandoned at once, so that the next owner,
   * which reads them again, is the only one to send them and the pace is kept by one bucket.
   */
  void revoked(Collection<?> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    revoked.addAll(partitions);
    for (Slots s : endpoints.values()) {
      s.lock.lock();
      try {
        s.turn.signalAll();
      } finally {
        s.lock.unlock();
      }
    }
  }

  /** The partitions are this dispatcher's (again). */
  void assigned(Collection<?> partitions) {
    revoked.removeAll(partitions);
  }

  /** Deliveries waiting now for their endpoint's rate limit to let them go. */
  int pacedWaiting() {
    return pacedWaiting.get();
  }

  /** Deliveries that had to wait for their endpoint's rate limit, since start. */
  long paced() {
    return paced.get();
  }

  /** Deliveries of rate-limited endpoints moved from a main lane to the overflow lane. */
  long movedForRate() {
    return movedForRate.get();
  }

  /** Deliveries that entered overflow since the last call, by endpoint, most first. */
  List<Map.Entry<EndpointId, Integer>> drainOverflowCounts() {
    List<Map.Entry<EndpointId, Integer>> out = new ArrayList<>();
    for (Map.Entry<EndpointId, Slots> en : endpoints.entrySet()) {
      int n = en.getValue().overflowed.getAndSet(0);
      if (n > 0) {
        out.add(Map.entry(en.getKey(), n));
      }
    }
    out.sort(Map.Entry.<EndpointId, Integer>comparingByValue(Comparator.reverseOrder()));
    return out;
  }

  /** Drops the state of endpoints and hosts with nothing in flight, waiting or overflowing. */
  void evictIdle() {
    evict(endpoints);
    evict(hosts);
  }

  /** Endpoints and hosts currently tracked; for tests and health. */
  int tracked() {
    return endpoints.size() + hosts.size();
  }

  private static <K> void evict(Map<K, Slots> m) {
    for (K k : m.keySet()) {
      m.computeIfPresent(k, (key, s) -> s.idle() ? null : s);
    }
  }

  /** The slots of {@code key}, counted as used until the caller decrements {@code users}. */
  private <K> Slots use(Map<K, Slots> m, K key, int capacity) {
    return m.compute(
        key,
        (k, s) -> {
          Slots out = s == null ? new Slots(capacity) : s;
          out.users.incrementAndGet();
          return out;
        });
  }

  /**
   * The slots of one endpoint or host; every plain field guarded by {@code lock}. {@code users}
   * counts callers holding a reference: it is raised inside the map's {@code compute}, so an entry
   * is only evicted when no one can still touch it.
   */
  private final class Slots {
    /** Stands for "slot granted" inside {@link #acquire}; never leaves this class. */
    private static final Admission PERMIT_MARKER = (Admission.Permit) answered -> {};

    final ReentrantLock lock = new ReentrantLock();

    /** Deliveries waiting for a slot, oldest first. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    /** Waiters in {@link #queue} with a hold limit; read without the lock by the sweep. */
    final AtomicInteger timed = new AtomicInteger();

    /** Signalled only by a stop: deliveries waiting for their rate limit's turn wait on it. */
    final Condition turn = lock.newCondition();

    /** The endpoint's pace, once it has a rate limit: turns reserved as deliveries come. */
    @Nullable TokenBucket bucket;

    /**
     * The same pace on the times deliveries really go: one that wakes late for its turn (a pause of
     * the process) must not let the next one, woken on time, go right behind it.
     */
    @Nullable TokenBucket gate;

    final AtomicInteger users = new AtomicInteger();
    final AtomicInteger overflowed = new AtomicInteger();
    final int capacity;
    int available;
    int waiting;

    /** Deliveries from main lanes waiting or in flight, by the partition they were read from. */
    final Map<Object, Integer> held = new HashMap<>();

    /** Requests in a row that got no answer; reset by any answer. */
    int unanswered;

    /** Main-lane deliveries go straight to overflow, behind the ones that went before. */
    boolean overflowing;

    Slots(int capacity) {
      this.capacity = capacity;
      this.available = capacity;
    }

    boolean idle() {
      lock.lock();
      try {
        // A bucket that is not full yet must be kept: a new one would start full, a burst early.
        return users.get() == 0
            && available == capacity
            && !overflowing
            && held.isEmpty()
            && (bucket == null || bucket.full(clock.millis()))
            && (gate == null || gate.full(clock.millis()));
      } finally {
        lock.unlock();
      }
    }

    /**
     * Waits for this delivery's turn at {@code rate} a second: null once it may go on to a slot, or
     * {@code ABANDON} if a stop, or the revocation of {@code partition}, came first. The turn is
     * reserved at once, so waiting deliveries wake one token apart in the order they came; once
     * woken, a delivery also takes a token of the gate bucket at the time it really goes on.
     */
    @Nullable Admission pace(int rate, @Nullable Object partition) throws InterruptedException {
      if (gone(partition)) {
        return ABANDON;
      }
      long now = clock.millis();
      TokenBucket bucket = this.bucket;
      TokenBucket gate = this.gate;
      if (bucket == null || gate == null) {
        bucket = this.bucket = new TokenBucket(rate, now);
        gate = this.gate = new TokenBucket(rate, now);
      }
      long when = bucket.reserve(rate, now);
      long wait = when > now ? when - now : gate.take(rate, now);
      if (wait == 0) {
        return null;
      }
      paced.incrementAndGet();
      pacedWaiting.incrementAndGet();
      try {
        while (true) {
          if (gone(partition)) {
            return ABANDON;
          }
          long left = when - clock.millis();
          if (left <= 0) {
            left = gate.take(rate, clock.millis());
            if (left == 0) {
              return null;
            }
          }
          turn.await(left, TimeUnit.MILLISECONDS);
        }
      } finally {
        pacedWaiting.decrementAndGet();
      }
    }

    private boolean gone(@Nullable Object partition) {
      return stopping || (partition != null && revoked.contains(partition));
    }

    /**
     * An endpoint slot for a delivery read from {@code partition} of a main lane (null: from the
     * overflow lane): a permit marker, or where the delivery goes instead.
     */
    Admission acquire(@Nullable Object partition, long deadline) throws InterruptedException {
      if (stopping) {
        return ABANDON;
      }
      boolean main = partition != null;
      if (overflowing && available > capacity / 2) {
        // Room again: the overflow lane is not keeping this endpoint busy here (drained, or read
        // elsewhere), so waiting behind it would only delay this delivery.
        overflowing = false;
      }
      if (main && (overflowing || held.getOrDefault(partition, 0) >= share)) {
        return toOverflow();
      }
      if (main) {
        held.merge(partition, 1, Integer::sum);
      }
      waiting++;
      return waitFor(partition, deadline, null);
    }

    /**
     * The part of {@link #acquire} from where a delivery counts as waiting ({@code waiting} and its
     * share raised): it waits for a slot, as the waiter {@code w} if it was queued already.
     */
    Admission waitFor(@Nullable Object partition, long deadline, @Nullable Waiter w)
        throws InterruptedException {
      boolean main = partition != null;
      try {
        // Stopping comes first: a queued delivery whose turn came before the stop, but whose
        // thread gets here after it, finds a free slot and would send something new.
        while (available == 0 || stopping) {
          if (stopping) {
            leave(partition);
            return ABANDON;
          }
          if (unanswered >= capacity && waiting > queued) {
            leave(partition);
            return DEFER;
          }
          if (main && deadline - clock.millis() <= 0) {
            leave(partition);
            return toOverflow();
          }
          w = await(w, main ? deadline : Long.MAX_VALUE);
        }
        available--;
        return PERMIT_MARKER;
      } catch (InterruptedException ex) {
        leave(partition);
        throw ex;
      } finally {
        waiting--;
        dequeue(w);
      }
    }

    /**
     * {@link #acquire}'s first steps for a delivery without a thread, when they end in a wait: it
     * is counted and queued as a waiter whose wake runs {@code start}. Null when they would not
     * wait; nothing is counted then. A free slot with deliveries queued is theirs (one woken for it
     * may not have taken it yet), so a newcomer queues behind them.
     */
    @Nullable Ticket queueWithoutThread(
        @Nullable Object partition, long deadline, Predicate<Ticket> start) {
      boolean main = partition != null;
      if (stopping
          || (available > 0 && queue.isEmpty())
          || (main && (overflowing || held.getOrDefault(partition, 0) >= share))
          || (unanswered >= capacity && waiting >= queued)
          || (main && deadline - clock.millis() <= 0)) {
        return null;
      }
      if (main) {
        held.merge(partition, 1, Integer::sum);
      }
      waiting++;
      Waiter w = enqueue(deadline);
      Ticket t = new Ticket(this, w, partition);
      w.start = start;
      w.ticket = t;
      return t;
    }

    private Waiter enqueue(long deadline) {
      Waiter w = new Waiter(deadline);
      queue.addLast(w);
      if (deadline != Long.MAX_VALUE) {
        timed.incrementAndGet();
        if (holdSweeper == null) {
          startHoldSweeper();
        }
      }
      return w;
    }

    /**
     * Waits, the lock held, until woken: by a release, a stop, a stall, or the sweep once {@code
     * deadline} has passed. A waiter keeps its place in the queue when it wakes to find the slot
     * taken again.
     */
    private Waiter await(@Nullable Waiter w, long deadline) throws InterruptedException {
      if (w == null) {
        w = enqueue(deadline);
      }
      Condition c = w.wake;
      if (c == null) {
        c = w.wake = lock.newCondition();
      }
      w.woken = false;
      c.await();
      return w;
    }

    private void dequeue(@Nullable Waiter w) {
      if (w == null) {
        return;
      }
      queue.remove(w);
      if (w.deadline != Long.MAX_VALUE) {
        timed.decrementAndGet();
      }
      if (w.woken && available > 0) {
        wakeOne(); // woken for a slot it did not take (an interrupt): the next one takes it
      }
    }

    /** Wakes the oldest waiter not woken yet. */
    private void wakeOne() {
      while (true) {
        Waiter next = null;
        for (Waiter w : queue) {
          if (!w.woken) {
            next = w;
            break;
          }
        }
        if (next == null || next.wake()) {
          return;
        }
        drop(next); // its thread could not start: the next one gets the turn
      }
    }

    /**
     * Takes out of the queue, uncounted, a delivery queued without a thread whose thread could not
     * be started; the lock held.
     */
    private void drop(Waiter w) {
      queue.remove(w);
      if (w.deadline != Long.MAX_VALUE) {
        timed.decrementAndGet();
      }
      waiting--;
      Ticket t = w.ticket;
      if (t != null) {
        leave(t.partition);
        users.decrementAndGet();
      }
    }

    /** Wakes each of {@code waiters}; drops, once done, those whose thread could not start. */
    private void wakeEach(Iterable<Waiter> waiters) {
      List<Waiter> failed = null;
      for (Waiter w : waiters) {
        if (!w.wake()) {
          if (failed == null) {
            failed = new ArrayList<>();
          }
          failed.add(w);
        }
      }
      if (failed != null) {
        failed.forEach(this::drop);
      }
    }

    void wakeAll() {
      wakeEach(queue);
    }

    void wakeExpired(long now) {
      List<Waiter> due = null;
      for (Waiter w : queue) {
        if (!w.woken && w.deadline <= now) {
          if (due == null) {
            due = new ArrayList<>();
          }
          due.add(w);
        }
      }
      if (due != null) {
        wakeEach(due);
      }
    }

    /** A host slot: null when granted, otherwise where the delivery goes. */
    @Nullable Admission acquireHost(long deadline) throws InterruptedException {
      waiting++;
      Waiter w = null;
      try {
        while (available == 0) {
          if (stopping) {
            return ABANDON;
          }
          if (deadline - clock.millis() <= 0) {
            return OVERFLOW;
          }
          w = await(w, deadline);
        }
        available--;
        return null;
      } finally {
        waiting--;
        dequeue(w);
      }
    }

    private void leave(@Nullable Object partition) {
      if (partition != null) {
        held.computeIfPresent(partition, (p, n) -> n == 1 ? null : n - 1);
      }
    }

    private Admission toOverflow() {
      overflowing = true;
      overflowed.incrementAndGet();
      return OVERFLOW;
    }

    /**
     * Gives back a slot taken by {@link #acquire}; with {@code overflow}, the delivery went to the
     * overflow lane after all (its host was full).
     */
    void release(boolean answered, @Nullable Object partition, boolean overflow) {
      lock.lock();
      try {
        boolean wasStalled = unanswered >= capacity;
        unanswered = answered ? 0 : unanswered + 1;
        available++;
        leave(partition);
        if (overflow) {
          toOverflow();
        } else if (overflowing && available > capacity / 2) {
          overflowing = false; // room again: the overflow lane has caught up on this dispatcher
        }
        if (!wasStalled && unanswered >= capacity) {
          wakeAll(); // now stalled: the surplus of waiters leaves
        } else {
          wakeOne();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** One delivery waiting for a slot; fields guarded by its slots' lock. */
  private static final class Waiter {
    /** What its thread waits on; made when it first waits on a thread. */
    @Nullable Condition wake;

    /** When its hold is over: {@code Long.MAX_VALUE} for none. */
    final long deadline;

    /** Signalled and not yet run: a second release wakes the next waiter instead. */
    boolean woken;

    /** For a delivery queued without a thread: starts one, once; then null. */
    @Nullable Predicate<Ticket> start;

    @Nullable Ticket ticket;

    Waiter(long deadline) {
      this.deadline = deadline;
    }

    /**
     * Lets it go on: signals its thread, or starts one for it. False when its thread could not be
     * started; it is then to be dropped from the queue.
     */
    boolean wake() {
      woken = true;
      Predicate<Ticket> s = start;
      Ticket t = ticket;
      if (s != null && t != null) {
        start = null;
        return s.test(t);
      }
      if (wake != null) {
        wake.signal();
      }
      return true;
    }
  }
}
