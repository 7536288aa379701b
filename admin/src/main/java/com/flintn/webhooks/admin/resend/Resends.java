package com.flintn.webhooks.admin.resend;

import com.flintn.webhooks.admin.dlq.ReplayLog;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.DlqReplay;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EventId;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Resend one past event to one endpoint, and recover an endpoint: resend every event whose latest
 * attempt since a time failed (docs/design.md §11, "Resend and recover"). Both put a new first
 * attempt on {@code webhooks.deliveries.due}, signed and sent by the dispatcher like any delivery,
 * with the same event id and body and a delivery id of its own. Every read is bounded: the limits
 * are the constants below. Thread safe; callers limit how many run at once.
 */
public final class Resends {
  /** How far back an event can be resent or a recovery reach: the attempts topic's retention. */
  public static final Duration REACH = Duration.ofDays(30);

  /** How long before its first attempt an event's record may have been written (dispatcher lag). */
  public static final Duration LAG_MARGIN = Duration.ofHours(1);

  /** Attempt records one request reads at most (all on the endpoint's partition). */
  public static final long ATTEMPT_BUDGET = 1_000_000;

  /** Records of the dead-letter, due and events topics one request reads at most for bodies. */
  public static final long BODY_BUDGET = 2_000_000;

  /** Events one recover request resends at most; the next request goes on with the rest. */
  public static final int MAX_PER_REQUEST = 1000;

  /** Failed events a dry run and an answer show. */
  public static final int SAMPLE = 10;

  /** Where resend looks for the event's attempts, newest first, when the attempt log lacks it. */
  private static final List<Duration> WINDOWS =
      List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(7), REACH);

  private final KafkaConfig kafka;
  private final TopicCatalog topics;
  private final ReplayLog replayLog;
  private final Clock clock;
  private final Duration timeout;

  public Resends(
      KafkaConfig kafka, TopicCatalog topics, ReplayLog replayLog, Clock clock, Duration timeout) {
    this.kafka = kafka;
    this.topics = topics;
    this.replayLog = replayLog;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** What a resend did. */
  public sealed interface Resent {
    /** Queued: {@code delivery} is on the due topic; the body came from {@code source}. */
    record Queued(Delivery delivery, String source) implements Resent {}

    /** The event has no attempt record for this endpoint within {@link #REACH}. */
    record NeverSent() implements Resent {}

    /** The event was sent to this endpoint, but its body is no longer kept (or not found). */
    record BodyGone(Instant firstAttempt, boolean budgetSpent) implements Resent {}
  }

  /**
   * Resends {@code event} to {@code endpoint}, if it was sent (or dropped) for it before. {@code
   * recent} are attempts already in memory, looked at before reading the topic.
   */
  public Resent resend(Endpoint endpoint, EventId event, List<AttemptRecord> recent) {
    try (RecordScan scan = new RecordScan(kafka, timeout)) {
      Optional<Instant> first =
          recent.stream()
              .filter(a -> a.eventId().equals(event))
              .map(AttemptRecord::startedAt)
              .min(Comparator.naturalOrder());
      if (first.isEmpty()) {
        first = firstAttemptOnTopic(scan, endpoint, event);
      }
      if (first.isEmpty()) {
        return new Resent.NeverSent();
      }
      EventBodies.Result bodies =
          EventBodies.find(
              scan, topics, endpoint, Set.of(event), first.get().minus(LAG_MARGIN), BODY_BUDGET);
      EventBodies.Found f = bodies.found().get(event);
      if (f == null) {
        return new Resent.BodyGone(first.get(), bodies.budgetSpent());
      }
      Delivery d = Resender.fresh(f.event(), endpoint.endpointId(), f.origin());
      try (Resender w = new Resender(kafka, topics, resendTransactionalId())) {
        w.send(List.of(new Resender.Resend(d, f.position(), List.of())));
      }
      return new Resent.Queued(d, sourceName(f.source()));
    }
  }

  private Optional<Instant> firstAttemptOnTopic(RecordScan scan, Endpoint endpoint, EventId event) {
    Instant now = clock.instant();
    Instant to = null;
    long budget = ATTEMPT_BUDGET; // shared by the windows
    for (Duration back : WINDOWS) {
      Instant from = now.minus(back);
      AttemptScan.Found found =
          AttemptScan.ofEvent(
              scan, topics.attempts(), endpoint.endpointId(), event, from, to, budget);
      if (!found.attempts().isEmpty()) {
        return found.attempts().stream()
            .map(l -> l.record().startedAt())
            .min(Comparator.naturalOrder());
      }
      budget -= found.read();
      if (budget <= 0) {
        break;
      }
      to = from;
    }
    return Optional.empty();
  }

  /** What a recovery did, or on a dry run would do. */
  public record Recovery(
      boolean dryRun,
      Instant since,
      int failed,
      int alreadyRecovered,
      int toResend,
      int resent,
      int skippedAlreadyReplayed,
      List<EventId> notFound,
      int pendingRetry,
      int remaining,
      boolean attemptScanComplete,
      boolean bodyScanComplete,
      long recordsRead,
      List<AttemptRecord> sample) {}

  /** Another recovery of the same endpoint started and took over after {@code sent} were sent. */
  public static final class TakenOver extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int sent;

    TakenOver(int sent) {
      super("taken over after " + sent);
      this.sent = sent;
    }
  }

  /** The replay log could not be read up to date in time. */
  public static final class LogBehind extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LogBehind() {
      super("the replay log could not be read in time");
    }
  }

  /**
   * Resends, at most once each, every event whose latest attempt to {@code endpoint} at or after
   * {@code since} failed for good: dead-lettered, refused as an unsafe URL, or dropped while the
   * endpoint was disabled. A failed attempt once recovered is not recovered again; a new failure of
   * the resent delivery is a new attempt and can be. At most {@link #MAX_PER_REQUEST} go per call,
   * oldest first.
   *
   * @throws TakenOver when another recovery of this endpoint started meanwhile
   * @throws LogBehind when the replay log could not be read up to date
   */
  public Recovery recover(Endpoint endpoint, Instant since, boolean dryRun)
      throws InterruptedException {
    Resender writer =
        dryRun
            ? null
            : new Resender(
                kafka,
                topics,
                topics.dlqReplays().name() + ".recover-" + endpoint.endpointId().value());
    try (writer;
        RecordScan scan = new RecordScan(kafka, timeout)) {
      // after the writer fenced any earlier recovery of this endpoint: its notes are all committed
      if (!replayLog.sync(timeout)) {
        throw new LogBehind();
      }
      AttemptScan.Latest latest =
          AttemptScan.latestSince(
              scan, topics.attempts(), endpoint.endpointId(), since, ATTEMPT_BUDGET);
      List<AttemptScan.Located> candidates = new ArrayList<>();
      int failed = 0;
      int already = 0;
      int pending = 0;
      for (AttemptScan.Located l : latest.latest()) {
        AttemptOutcome o = l.record().outcome();
        if (AttemptScan.FAILED.contains(o)) {
          failed++;
          if (replayLog.contains(noteKey(l))) {
            already++;
          } else {
            candidates.add(l);
          }
        } else if (!o.isTerminal()) {
          pending++;
        }
      }
      List<AttemptRecord> sample =
          candidates.stream().limit(SAMPLE).map(AttemptScan.Located::record).toList();
      long read = latest.read();
      if (dryRun) {
        return new Recovery(
            true,
            since,
            failed,
            already,
            candidates.size(),
            0,
            0,
            List.of(),
            pending,
            0,
            !latest.budgetSpent(),
            true,
            read,
            sample);
      }
      List<AttemptScan.Located> now =
          candidates.subList(0, Math.min(MAX_PER_REQUEST, candidates.size()));
      Set<EventId> wanted = new HashSet<>();
      now.forEach(l -> wanted.add(l.record().eventId()));
      EventBodies.Result bodies =
          EventBodies.find(scan, topics, endpoint, wanted, since.minus(LAG_MARGIN), BODY_BUDGET);
      read += bodies.read();
      List<Resender.Resend> out = new ArrayList<>();
      List<EventId> notFound = new ArrayList<>();
      int replayed = 0;
      Instant at = clock.instant();
      for (AttemptScan.Located l : now) {
        EventBodies.Found f = bodies.found().get(l.record().eventId());
        if (f == null) {
          notFound.add(l.record().eventId());
          continue;
        }
        if (f.source() == EventBodies.Source.DEAD_LETTER && replayLog.contains(f.position())) {
          replayed++; // replayed from the dead letters already
          continue;
        }
        Delivery d = Resender.fresh(f.event(), endpoint.endpointId(), f.origin());
        List<DlqReplay> notes = new ArrayList<>();
        notes.add(
            new DlqReplay(
                noteKey(l), d.deliveryId(), endpoint.endpointId(), f.event().eventId(), at));
        if (f.source() == EventBodies.Source.DEAD_LETTER) {
          // a later dead-letter replay skips it, as one of this one would
          notes.add(
              new DlqReplay(
                  f.position(), d.deliveryId(), endpoint.endpointId(), f.event().eventId(), at));
        }
        out.add(new Resender.Resend(d, f.position(), notes));
      }
      int sent;
      try {
        sent = Objects.requireNonNull(writer, "a recovery that is not a dry run").send(out);
      } catch (Resender.Failed e) {
        if (fenced(e)) {
          throw new TakenOver(e.committed);
        }
        throw e;
      }
      return new Recovery(
          false,
          since,
          failed,
          already,
          candidates.size(),
          sent,
          replayed,
          notFound,
          pending,
          candidates.size() - now.size(),
          !latest.budgetSpent(),
          !bodies.budgetSpent(),
          read,
          sample);
    }
  }

  private static boolean fenced(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.ProducerFencedException
          || t instanceof org.apache.kafka.common.errors.InvalidProducerEpochException) {
        return true;
      }
    }
    return false;
  }

  /** The key of the note that the failed attempt {@code l} was recovered. */
  static String noteKey(AttemptScan.Located l) {
    return "recover/" + l.position();
  }

  private String resendTransactionalId() {
    return topics.dlqReplays().name() + ".resend-" + UUID.randomUUID();
  }

  private static String sourceName(EventBodies.Source s) {
    return switch (s) {
      case DEAD_LETTER -> "dead_letter";
      case DUE -> "deliveries_due";
      case EVENTS -> "events";
    };
  }
}
