package com.flintn.webhooks.dispatcher.consume;

import static java.util.Objects.requireNonNull;

import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.InvalidReason;
import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Origin;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.dispatcher.dedup.EventDedup;
import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import com.flintn.webhooks.dispatcher.outcome.OutcomeClassifier;
import com.flintn.webhooks.dispatcher.record.DeliverySizeLimit;
import com.flintn.webhooks.dispatcher.record.EventSchemas;
import com.flintn.webhooks.dispatcher.record.InvalidRecordWriter;
import com.flintn.webhooks.dispatcher.record.OutcomeRecorder;
import com.flintn.webhooks.dispatcher.record.SourceRecord;
import java.io.Serial;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Turns one consumed record into finished work: an event is validated and fanned out to every
 * subscribed endpoint of its account, a due or overflowed delivery is sent; each attempt is sent on
 * a virtual thread and recorded. A delivery whose endpoint is over its share of a main lane, or has
 * a rate limit of its own, is moved to the overflow lane instead (see {@link EndpointLimits}). A
 * valid event repeated within the de-duplication window is not delivered ({@link EventDedup}). The
 * future completes when everything the record caused has been acknowledged by Kafka; it fails with
 * {@link Abandoned} for work left unfinished by a stop. Never throws for bad input. Thread safe.
 */
final class RecordHandler implements RecordWork {
  private final String eventsTopic;
  private final Topic<String, Delivery> dueTopic;
  private final String overflowTopic;
  private final EventParser parser;
  private final DeliverySizeLimit sizeLimit;
  private final EndpointView endpoints;
  private final WebhookSender sender;
  private final OutcomeRecorder recorder;
  private final InvalidRecordWriter invalid;
  private final EndpointLimits limits;
  private final ExecutorService workers;
  private final Clock clock;
  private final ViewSync viewSync;
  private final Optional<EventSchemas> schemas;
  private final EventDedup dedup;
  private final Hosts hosts = new Hosts();
  private final SyncedEvents synced = new SyncedEvents();
  private volatile boolean cutOff;

  RecordHandler(
      String eventsTopic,
      Topic<String, Delivery> dueTopic,
      String overflowTopic,
      EventParser parser,
      DeliverySizeLimit sizeLimit,
      EndpointView endpoints,
      WebhookSender sender,
      OutcomeRecorder recorder,
      InvalidRecordWriter invalid,
      EndpointLimits limits,
      ExecutorService workers,
      Clock clock,
      ViewSync viewSync,
      Optional<EventSchemas> schemas,
      EventDedup dedup) {
    this.eventsTopic = eventsTopic;
    this.dueTopic = dueTopic;
    this.overflowTopic = overflowTopic;
    this.parser = parser;
    this.sizeLimit = sizeLimit;
    this.endpoints = endpoints;
    this.sender = sender;
    this.recorder = recorder;
    this.invalid = invalid;
    this.limits = limits;
    this.workers = workers;
    this.clock = clock;
    this.viewSync = viewSync;
    this.schemas = schemas;
    this.dedup = dedup;
  }

  /**
   * On the poll thread, before the records of one poll are handled: if they hold events that no
   * earlier sync covers ({@link SyncedEvents}), the endpoint view is brought up to the table's
   * committed end first (see {@link ViewSync}).
   */
  @Override
  public void beforeBatch(ConsumerRecords<byte[], byte[]> records, LogEnds ends) {
    List<TopicPartition> events = new ArrayList<>();
    for (TopicPartition tp : records.partitions()) {
      if (tp.topic().equals(eventsTopic)) {
        events.add(tp);
      }
    }
    if (events.isEmpty() || synced.covers(records, events)) {
      return;
    }
    Map<TopicPartition, Long> before = new HashMap<>();
    for (TopicPartition tp : events) {
      ends.of(tp).ifPresent(end -> before.put(tp, end));
    }
    if (viewSync.sync()) {
      synced.synced(before);
    }
  }

  /** On the poll thread, after the records of one poll: writes their first sightings. */
  @Override
  public void afterBatch() {
    dedup.flush();
  }

  /** On the poll thread, before any record of {@code partitions} is handled. */
  @Override
  public void assigned(Collection<TopicPartition> partitions) {
    synced.forget(partitions);
    dedup.assigned(partitions);
  }

  /** On the poll thread, once {@code partitions} are no longer this dispatcher's. */
  @Override
  public void revoked(Collection<TopicPartition> partitions) {
    synced.forget(partitions);
    dedup.revoked(partitions);
  }

  /**
   * Why no record may be handled now, if none may: the endpoint view holds endpoint records that
   * {@code secrets.encryption-key} cannot decrypt, so it cannot tell who subscribes to an event or
   * whether a retry's endpoint still exists. Empty when records may be handled.
   */
  @Override
  public Optional<String> hold() {
    return endpoints.keyProblem().map(Throwable::getMessage);
  }

  /**
   * Called by a stop just before it interrupts the requests still in flight: from then on a request
   * that ends without a response was cut off by the stop, not failed by the endpoint, so it is
   * abandoned (left for the next owner) rather than recorded as a failed attempt and retried.
   */
  void cutOff() {
    cutOff = true;
  }

  @Override
  public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> r) {
    SourceRecord source = new SourceRecord(r.topic(), r.partition(), r.offset());
    if (r.topic().equals(eventsTopic)) {
      return switch (parser.parse(r.value())) {
        case ParsedEvent.Invalid bad ->
            invalid.write(r, bad.reason().wireName(), bad.detail(), clock.instant());
        case ParsedEvent.Valid ok -> {
          if (!sizeLimit.fits(ok.body().length)) {
            yield invalid.write(
                r,
                InvalidReason.TOO_LARGE.wireName(),
                sizeLimit.explain(ok.body().length),
                clock.instant());
          }
          Optional<String> mismatch = schemas.flatMap(s -> s.problem(ok.event()));
          if (mismatch.isPresent()) {
            yield invalid.write(
                r, InvalidReason.SCHEMA_INVALID.wireName(), mismatch.get(), clock.instant());
          }
          yield switch (dedup.check(ok.event(), r.partition(), r.offset())) {
            case EventDedup.Verdict.Repeat repeat -> CompletableFuture.completedFuture(null);
            case EventDedup.Verdict.Deliver d -> both(fanOut(ok, source), d.seenRecorded());
          };
        }
      };
    }
    Delivery due;
    try {
      due = dueTopic.valueSerde().deserializer().deserialize(r.topic(), r.value());
      if (due == null) {
        throw new IllegalArgumentException("empty value");
      }
    } catch (RuntimeException e) {
      return invalid.write(r, "invalid_delivery", String.valueOf(e.getMessage()), clock.instant());
    }
    boolean overflowed = r.topic().equals(overflowTopic);
    // A first attempt waiting in the overflow lane has no first_attempt_at yet: it began when it
    // was moved there.
    Instant began =
        due.firstAttemptAt() != null || !overflowed
            ? due.firstAttemptAt()
            : Instant.ofEpochMilli(r.timestamp());
    Optional<Endpoint> endpoint = endpoints.get(due.endpointId());
    if (endpoint.isEmpty() || !endpoint.get().isActive() || endpoint.get().predatesStatus(began)) {
      // Inactive, or reactivated since this delivery began: what happened while it was
      // disabled is not queued for later.
      return recorder.recordDropped(due);
    }
    return attempt(
        endpoint.get(),
        due,
        Json.bytes(due.event()),
        source,
        overflowed ? EndpointLimits.Lane.OVERFLOW : EndpointLimits.Lane.MAIN);
  }

  private CompletableFuture<Void> fanOut(ParsedEvent.Valid ok, SourceRecord source) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    Origin origin = new Origin(source.topic(), source.partition(), source.offset());
    // An operational webhook about an endpoint never goes to that endpoint (docs/design.md §4.1).
    String subject = OperationalEvents.subject(ok.event());
    for (Endpoint e : endpoints.subscribers(ok.event().accountId(), ok.event().eventType())) {
      if (subject != null && subject.equals(e.endpointId().value())) {
        continue;
      }
      Delivery d = Delivery.first(ok.event(), e.endpointId(), origin);
      if (e.isActive()) {
        all.add(attempt(e, d, ok.body(), source, EndpointLimits.Lane.MAIN));
      } else {
        all.add(recorder.recordDropped(d));
      }
    }
    return switch (all.size()) {
      case 0 -> CompletableFuture.completedFuture(null);
      case 1 -> all.getFirst();
      default -> CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    };
  }

  /** Completes when both have; either of them, when the other is already done. */
  private static CompletableFuture<Void> both(
      CompletableFuture<Void> a, CompletableFuture<Void> b) {
    if (b.isDone() && !b.isCompletedExceptionally()) {
      return a;
    }
    if (a.isDone() && !a.isCompletedExceptionally()) {
      return b;
    }
    return CompletableFuture.allOf(a, b);
  }

  /**
   * Sends on a virtual thread once the endpoint and its host have a free slot, then records the
   * outcome. A delivery over its endpoint's share of a main lane is moved to the overflow lane, one
   * whose endpoint is stalled with its share taken is deferred to the first retry tier: either way
   * unattempted, and the partition keeps moving for the other endpoints.
   */
  private CompletableFuture<Void> attempt(
      Endpoint endpoint,
      Delivery delivery,
      byte[] body,
      SourceRecord source,
      EndpointLimits.Lane lane) {
    CompletableFuture<Step> attempted = new CompletableFuture<>();
    // Queued without a thread while it waits for its endpoint's slot (the usual case under a
    // backlog); its thread starts when its turn comes.
    EndpointLimits.Ticket queued =
        limits.queue(
            endpoint.endpointId(),
            lane,
            source.partitionKey(),
            endpoint.perSecondLimit(),
            ticket ->
                start(
                    attempted, () -> admitAndSend(ticket, endpoint, delivery, body, source, lane)));
    if (queued == null) {
      start(attempted, () -> admitAndSend(null, endpoint, delivery, body, source, lane));
    }
    return attempted.thenCompose(
        step ->
            switch (step) {
              case Step.Sent sent -> recorder.record(sent.attempt());
              case Step.Overflow o -> recorder.recordOverflow(delivery);
              case Step.Defer d -> recorder.recordDeferred(delivery);
              case Step.Drop d -> recorder.recordDropped(delivery);
            });
  }

  /**
   * Runs {@code work} on a thread, completing {@code attempted}. False, with the delivery
   * abandoned, when the workers are shut down (the dispatcher is stopping).
   *
   * <p>Called on a delivery's own thread (its release gave the slot to a queued delivery), the work
   * is handed to that thread, which runs it once its own delivery is recorded, instead of starting
   * a thread for it: under a backlog every release hands a slot on, and starting and ending a
   * virtual thread per delivery was a tenth of the dispatcher's own work (docs/design.md §12).
   */
  private boolean start(CompletableFuture<Step> attempted, Supplier<Step> work) {
    if (workers.isShutdown()) {
      attempted.completeExceptionally(new Abandoned());
      return false;
    }
    Next next = NEXT.get();
    if (next != null && next.accepting && next.attempted == null) {
      next.attempted = attempted;
      next.work = work;
      return true;
    }
    try {
      workers.execute(() -> runAndGoOn(attempted, work));
      return true;
    } catch (RejectedExecutionException e) {
      attempted.completeExceptionally(new Abandoned()); // stopping: the workers are shut down
      return false;
    }
  }

  /** Runs {@code work}, then whatever was handed to this thread meanwhile, until nothing is. */
  private void runAndGoOn(CompletableFuture<Step> attempted, Supplier<Step> work) {
    Next next = new Next();
    NEXT.set(next);
    try {
      run(attempted, work);
      while (next.attempted != null) {
        CompletableFuture<Step> a = next.attempted;
        Supplier<Step> w = requireNonNull(next.work);
        next.attempted = null;
        next.work = null;
        // Run even when stopping: its entry abandons it and gives its place in the queue back.
        run(a, w);
      }
    } finally {
      NEXT.remove();
    }
  }

  private static void run(CompletableFuture<Step> attempted, Supplier<Step> work) {
    try {
      attempted.complete(work.get());
    } catch (Throwable t) {
      attempted.completeExceptionally(t);
    }
  }

  /** On a delivery's thread: the delivery handed to it to run next, if any. */
  private static final ThreadLocal<@Nullable Next> NEXT = new ThreadLocal<>();

  /** A delivery handed to a thread to run next; used by that thread only. */
  private static final class Next {
    /**
     * Set only while the thread gives its slot back after its send: a delivery woken at any other
     * time (a slot still free after this thread took one, say) would wait behind this thread's
     * request, so it gets a thread of its own.
     */
    boolean accepting;

    @Nullable CompletableFuture<Step> attempted;
    @Nullable Supplier<Step> work;
  }

  /** Gives the slot back; a queued delivery it wakes runs next on this thread. */
  private static void releaseHandingOn(EndpointLimits.Admission.Permit permit, boolean answered) {
    Next next = NEXT.get();
    if (next == null) {
      permit.release(answered);
      return;
    }
    next.accepting = true;
    try {
      permit.release(answered);
    } finally {
      next.accepting = false;
    }
  }

  /**
   * Sends once the endpoint and its host have a free slot, and says what became of the delivery.
   */
  private Step admitAndSend(
      EndpointLimits.@Nullable Ticket ticket,
      Endpoint endpoint,
      Delivery delivery,
      byte[] body,
      SourceRecord source,
      EndpointLimits.Lane lane) {
    EndpointLimits.Admission admission;
    try {
      admission =
          ticket != null
              ? limits.enter(ticket, hosts.of(endpoint.url()))
              : limits.enter(
                  endpoint.endpointId(),
                  hosts.of(endpoint.url()),
                  lane,
                  source.partitionKey(),
                  endpoint.perSecondLimit());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Abandoned();
    }
    EndpointLimits.Admission.Permit permit =
        switch (admission) {
          case EndpointLimits.Admission.Permit p -> p;
          case EndpointLimits.Admission.Overflow o -> null;
          case EndpointLimits.Admission.Defer d -> null;
          case EndpointLimits.Admission.Abandon a -> throw new Abandoned();
        };
    if (permit == null) {
      return admission instanceof EndpointLimits.Admission.Overflow
          ? new Step.Overflow()
          : new Step.Defer();
    }
    // The wait for a slot can be long: send to the endpoint as it is now.
    Optional<Endpoint> now = endpoints.get(endpoint.endpointId());
    if (now.isEmpty() || !now.get().isActive()) {
      releaseHandingOn(permit, true);
      return new Step.Drop();
    }
    Instant started = clock.instant();
    SendResult result = send(now.get(), delivery, body, started);
    if (cutOff && !(result instanceof SendResult.Response)) {
      releaseHandingOn(permit, true);
      throw new Abandoned();
    }
    releaseHandingOn(permit, result instanceof SendResult.Response);
    return new Step.Sent(
        new OutcomeRecorder.Attempt(
            now.get(),
            delivery,
            started,
            result,
            OutcomeClassifier.classify(result, clock.instant()),
            source));
  }

  /** What became of a delivery once it had (or could not get) a slot. */
  private sealed interface Step {
    record Sent(OutcomeRecorder.Attempt attempt) implements Step {}

    record Overflow() implements Step {}

    record Defer() implements Step {}

    record Drop() implements Step {}
  }

  /**
   * Work left unfinished because the dispatcher is stopping: the record is not committed past, and
   * the next owner of its partition does it again.
   */
  static final class Abandoned extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    Abandoned() {
      super("abandoned: the dispatcher is stopping", null, false, false);
    }
  }

  /** Sends, turning anything unexpected into a recorded failure rather than a lost record. */
  private SendResult send(Endpoint endpoint, Delivery delivery, byte[] body, Instant started) {
    try {
      return sender.send(endpoint, delivery, body);
    } catch (RuntimeException e) {
      return new SendResult.Failure(
          SendResult.ErrorKind.IO,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          Duration.between(started, clock.instant()));
    }
  }
}
