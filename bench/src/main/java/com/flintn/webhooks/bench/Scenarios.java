package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import com.flintn.webhooks.common.topic.Topic;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * The paired scenarios of BENCHMARKS.md (P1 to P3): each alternates runs of the dispatcher with
 * runs of its baseline, after a discarded warm-up of both. Every run has its own topic prefix,
 * dropped when the run ends.
 */
final class Scenarios {
  private static final int ENDPOINTS = 10;

  /** P3's request timeout: how long the hanging endpoint holds each request. */
  private static final Duration P3_TIMEOUT = Duration.ofSeconds(5);

  /** A run whose sinks answer nothing for this long has failed, whatever it waits for. */
  private static final Duration NO_PROGRESS = Duration.ofSeconds(90);

  private final Rig rig;
  private final PrintStream out;

  Scenarios(Rig rig, PrintStream out) {
    this.rig = rig;
    this.out = out;
  }

  /**
   * P1: deliveries/s of the dispatcher vs the raw HTTP ceiling (same client, bodies, sinks), each
   * side warmed up by {@code warmUp}.
   */
  Result throughput(int events, int pairs, Paired.WarmUp warmUp) throws Exception {
    rig.sink.latency(Duration.ZERO);
    int concurrency = ENDPOINTS * rig.settings("p1", 6).http().maxInFlightPerEndpoint();
    List<Result.Run> runs =
        Paired.alternate(
            "P1",
            pairs,
            warmUp,
            (tag, w) -> dispatchRun("p1v" + tag, events),
            (tag, w) -> {
              FlintnConfig c = rig.settings("p1b" + tag, 6);
              return ceiling(c, rig.endpointObjects(c, ENDPOINTS), events, concurrency);
            },
            out,
            Paired.Clocks.JVM);
    Result r =
        paired(
            "P1",
            events + " events, 10 endpoints, instant 200",
            "deliveries/s",
            runs,
            "raw HTTP ceiling (same delivery client, signed bodies, "
                + concurrency
                + " concurrent)",
            ">= 0.8 x ceiling");
    return r.withMet(r.ratio() >= 0.8, steadyRates(r));
  }

  /**
   * The medians of the measured runs' steady rates ({@link RunShape#medianRate}) and their ratio,
   * for the notes of a paired scenario: beside the target's figure, not instead of it. A run that
   * lost a second to the machine moves the target's ratio by a tenth on two shared cores; this one
   * leaves such seconds out on both sides. Empty when a run has no shape.
   */
  static String steadyRates(Result r) {
    double[] v = steady(r.measured(Result.Kind.VALUE));
    double[] b = steady(r.measured(Result.Kind.BASELINE));
    if (v.length == 0 || b.length == 0) {
      return "";
    }
    double value = Stats.spread(v).median();
    double baseline = Stats.spread(b).median();
    r.details().put("steady_rate_median_value", value);
    r.details().put("steady_rate_median_baseline", baseline);
    r.details().put("steady_rate_ratio", value / baseline);
    return String.format(
        Locale.ROOT,
        "steady rates, stalls left out: %.0f/s vs %.0f/s, %.2f",
        value,
        baseline,
        value / baseline);
  }

  private static double[] steady(List<Result.Run> runs) {
    double[] rates = new double[runs.size()];
    for (int i = 0; i < rates.length; i++) {
      RunShape shape = runs.get(i).shape();
      rates[i] = shape == null ? Double.NaN : shape.medianRate();
      if (Double.isNaN(rates[i])) {
        return new double[0];
      }
    }
    return rates;
  }

  /** P2: deliveries/s with 20 ms sinks vs a naive poll-POST-commit loop. */
  Result latencySinks(int events, Duration naiveFor, int pairs) throws Exception {
    rig.sink.latency(Duration.ofMillis(20));
    try {
      List<Result.Run> runs =
          Paired.alternate(
              "P2",
              pairs,
              (tag, w) -> dispatchRun("p2v" + tag, events),
              (tag, w) -> naiveRun("p2b" + tag, w ? naiveFor.dividedBy(3) : naiveFor),
              out);
      // Not a baseline but the bound: the same sender, bodies and sinks with no Kafka at all.
      FlintnConfig bound = rig.settings("p2c", 6);
      int concurrency = ENDPOINTS * bound.http().maxInFlightPerEndpoint();
      Paired.Measured ceiling =
          ceiling(bound, rig.endpointObjects(bound, ENDPOINTS), events, concurrency);
      out.printf(Locale.ROOT, "  P2 raw HTTP ceiling at 20 ms    %12.1f%n", ceiling.value());
      Result r =
          paired(
              "P2",
              events + " events, 10 endpoints, 20 ms sink latency",
              "deliveries/s",
              runs,
              "naive loop: poll, POST each in turn, commit (" + naiveFor.toSeconds() + " s)",
              ">= 100 x naive");
      r.details().put("raw_http_ceiling_per_s", ceiling.value());
      r.details().put("raw_http_ceiling_cpu_ms_per_1000", ceiling.cpuMsPer1000());
      r.details().put("value_to_ceiling", r.values().median() / ceiling.value());
      r.details().put("ceiling_to_naive", ceiling.value() / r.baselines().median());
      return r.withMet(
          r.ratio() >= 100,
          String.format(
              Locale.ROOT,
              "raw HTTP ceiling at 20 ms (no Kafka) %.0f/s = %.0f x naive; dispatcher at %.2f of it",
              ceiling.value(),
              ceiling.value() / r.baselines().median(),
              r.values().median() / ceiling.value()));
    } finally {
      rig.sink.latency(Duration.ZERO);
    }
  }

  /** P3: healthy endpoints' deliveries/s with one endpoint hanging vs all healthy. */
  Result isolation(int events, int pairs) throws Exception {
    rig.sink.latency(Duration.ZERO);
    List<Result.Run> runs =
        Paired.alternate(
            "P3",
            pairs,
            (tag, w) -> isolationRun("p3v" + tag, events, true),
            (tag, w) -> isolationRun("p3b" + tag, events, false),
            out);
    Result r =
        paired(
            "P3",
            events + " events, 10 endpoints, one never answers (5 s timeout)",
            "healthy deliveries/s",
            runs,
            "the same run with all endpoints healthy",
            "healthy lose <= 10%");
    double loss = 1 - r.ratio();
    return r.withMet(
        loss <= 0.10, String.format(Locale.ROOT, "healthy throughput loss %.1f%%", loss * 100));
  }

  private static Result paired(
      String id,
      String scenario,
      String unit,
      List<Result.Run> runs,
      String baselineName,
      String target) {
    return new Result(id, scenario, unit, runs, baselineName, target, false, "", Map.of());
  }

  /**
   * One dispatcher run on a fresh prefix: {@code events} events over the 10 endpoints, produced
   * before the dispatcher starts; it ends when all are delivered.
   */
  private Paired.Measured dispatchRun(String prefix, int events) throws Exception {
    FlintnConfig c = rig.config(prefix, 6);
    try {
      List<Endpoint> eps = rig.endpoints(c, ENDPOINTS);
      rig.events(c, events, k -> k % eps.size());
      return dispatch(c, events, Duration.ofMinutes(10));
    } finally {
      rig.drop(c);
    }
  }

  /**
   * Like {@link #dispatchRun}, but it counts only the deliveries of endpoints 0 to 8 and ends when
   * they are all in; with {@code hanging}, endpoint 9 never answers. (Counting the first 90% of all
   * deliveries in the healthy run, as before, ended it ahead of its busiest partition's tail and
   * flattered the baseline.)
   */
  private Paired.Measured isolationRun(String prefix, int events, boolean hanging)
      throws Exception {
    FlintnConfig c = rig.config(prefix, 6, P3_TIMEOUT);
    try {
      List<Endpoint> eps = rig.endpoints(c, ENDPOINTS);
      rig.events(c, events, k -> k % eps.size());
      // Endpoint 9 hangs, or answers without being counted: either way the figure is the rate of
      // the same 90% of the deliveries, from the first of them to the last.
      String last = "/" + prefix + "/" + (ENDPOINTS - 1);
      rig.sink.hang(hanging ? last : null);
      rig.sink.uncounted(hanging ? null : last);
      try {
        return dispatchHealthy(c, healthyCount(events, ENDPOINTS));
      } finally {
        rig.sink.hang(null);
        rig.sink.uncounted(null);
      }
    } finally {
      rig.drop(c);
    }
  }

  private Paired.Measured naiveRun(String prefix, Duration runFor) throws Exception {
    FlintnConfig c = rig.config(prefix, 6);
    try {
      List<Endpoint> eps = rig.endpointObjects(c, ENDPOINTS);
      // comfortably more than a 20 ms loop gets through in runFor
      rig.events(c, (int) (runFor.toMillis() / 10 + 100), k -> k % eps.size());
      return naiveLoop(c, eps, runFor);
    } finally {
      rig.drop(c);
    }
  }

  private static long healthyCount(int events, int endpoints) {
    long n = 0;
    for (int k = 0; k < events; k++) {
      if (k % endpoints != endpoints - 1) {
        n++;
      }
    }
    return n;
  }

  private Paired.Measured dispatch(FlintnConfig c, long expected, Duration max) throws Exception {
    rig.sink.reset();
    long cpu0 = cpuNanos();
    MeterRegistry meters = new SimpleMeterRegistry();
    try (DispatcherApp d = new DispatcherApp(c, rig.clock, meters)) {
      d.start();
      awaitTotal(expected, max, meters);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage() + "; first failure: " + firstFailure(c), e);
    }
    long cpu = cpuNanos() - cpu0;
    return new Paired.Measured(
        (expected - 1) / rig.sink.spanSeconds(), cpu / 1e6 / expected * 1000, rig.sink.shape());
  }

  /** Like dispatch, counting only the healthy endpoints' deliveries. */
  private Paired.Measured dispatchHealthy(FlintnConfig c, long healthy) throws Exception {
    rig.sink.reset();
    long cpu0 = cpuNanos();
    try (DispatcherApp d = new DispatcherApp(c, rig.clock)) {
      d.start();
      awaitTotal(healthy, Duration.ofMinutes(10), null);
      d.halt(); // the hanging endpoint's deliveries would take their timeouts; not measured
    }
    long cpu = cpuNanos() - cpu0;
    return new Paired.Measured(
        (healthy - 1) / rig.sink.spanSeconds(), cpu / 1e6 / healthy * 1000, rig.sink.shape());
  }

  /**
   * Waits until the sinks have answered {@code expected} requests. With {@code meters} (a run where
   * every endpoint is healthy), an attempt that did not deliver ends the run at once: its delivery
   * went to a retry tier, so the run could never complete and its figure would mean nothing.
   */
  private void awaitTotal(long expected, Duration max, @Nullable MeterRegistry meters)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long seen = -1;
    long progressAt = System.nanoTime();
    while (rig.sink.total() < expected) {
      long now = System.nanoTime();
      if (rig.sink.total() != seen) {
        seen = rig.sink.total();
        progressAt = now;
      }
      if (now > deadline || now - progressAt > NO_PROGRESS.toNanos()) {
        throw new IllegalStateException(
            "only "
                + seen
                + " of "
                + expected
                + " delivered, none for "
                + (now - progressAt) / 1_000_000_000
                + " s; load average "
                + BenchApp.loadAverage());
      }
      if (meters != null) {
        String failed = notDelivered(meters);
        if (!failed.isEmpty()) {
          throw new IllegalStateException(
              "attempts that did not deliver in a run with healthy sinks ("
                  + failed
                  + "); is the machine overloaded? load average "
                  + BenchApp.loadAverage());
        }
      }
      Thread.sleep(20);
    }
  }

  /** The first attempt record on the attempts topic that is not a delivery, as JSON. */
  private static String firstFailure(FlintnConfig c) {
    var props = KafkaClients.consumer(c.kafka(), c.topics().prefix() + ".why");
    Topic<String, AttemptRecord> t = c.topicCatalog().attempts();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(t.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          AttemptRecord a = t.valueSerde().deserializer().deserialize(t.name(), r.value());
          if (a.outcome() != AttemptOutcome.DELIVERED) {
            return new String(r.value(), StandardCharsets.UTF_8);
          }
        }
      }
    } catch (RuntimeException e) {
      return "cannot read " + t.name() + ": " + e;
    }
    return "none found";
  }

  /** Attempts by outcome and status class other than delivered, as text; empty if none. */
  static String notDelivered(MeterRegistry meters) {
    StringBuilder b = new StringBuilder();
    for (Counter counter : meters.find(WebhookMetrics.DELIVERIES).counters()) {
      String outcome = counter.getId().getTag("outcome");
      if (counter.count() > 0 && !"delivered".equals(outcome)) {
        b.append(b.isEmpty() ? "" : ", ")
            .append((long) counter.count())
            .append(' ')
            .append(outcome)
            .append('/')
            .append(counter.getId().getTag("status_class"));
      }
    }
    return b.toString();
  }

  /** The same sender and signed bodies, {@code concurrency} requests at once, no Kafka. */
  private Paired.Measured ceiling(FlintnConfig c, List<Endpoint> eps, int n, int concurrency)
      throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    List<Delivery> deliveries = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      Event e =
          Json.mapper()
              .readValue(
                  "{\"event_id\":\"evt_ceiling_"
                      + k
                      + "\",\"event_type\":\""
                      + Rig.type(k % eps.size())
                      + "\",\"account_id\":\"acc_bench\",\"created_at\":\"2026-11-27T10:00:00Z\","
                      + "\"data\":{\"order_id\":\"ord_"
                      + k
                      + "\",\"amount\":4200,\"currency\":\"EUR\"}}",
                  Event.class);
      deliveries.add(Delivery.first(e, eps.get(k % eps.size()).endpointId(), null));
      bodies.add(Json.bytes(e));
    }
    AtomicInteger next = new AtomicInteger();
    rig.sink.reset();
    long cpu0 = cpuNanos();
    try (WebhookSender sender =
            new WebhookSender(c.http(), new UrlGuard(c.urlGuardAllow()), rig.clock);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        pool.execute( // not submit: a failure must show, not sit in an unread Future
            () -> {
              for (int k; (k = next.getAndIncrement()) < n; ) {
                sender.send(eps.get(k % eps.size()), deliveries.get(k), bodies.get(k));
              }
            });
      }
    }
    long cpu = cpuNanos() - cpu0;
    return new Paired.Measured(
        (rig.sink.total() - 1) / rig.sink.spanSeconds(), cpu / 1e6 / n * 1000, rig.sink.shape());
  }

  /**
   * Poll, POST each record in turn, commit: what a first version usually is. It runs for {@code
   * runFor} from its first request, and its rate is counted at the sinks like the dispatcher's, so
   * the group join is in neither.
   */
  private Paired.Measured naiveLoop(FlintnConfig c, List<Endpoint> eps, Duration runFor) {
    rig.sink.reset();
    long cpu0 = cpuNanos();
    var props = KafkaClients.consumer(c.kafka(), c.topics().prefix() + ".naive");
    EventParser parser = new EventParser(c.dispatcher().maxEventBytes());
    long end = Long.MAX_VALUE;
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        WebhookSender sender =
            new WebhookSender(c.http(), new UrlGuard(c.urlGuardAllow()), rig.clock)) {
      consumer.subscribe(List.of(c.topicCatalog().events().name()));
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (end == Long.MAX_VALUE) {
            end = System.nanoTime() + runFor.toNanos();
          }
          if (parser.parse(r.value()) instanceof ParsedEvent.Valid v) {
            Event e = v.event();
            Endpoint ep = eps.get(Integer.parseInt(e.eventType().substring(7)));
            sender.send(ep, Delivery.first(e, ep.endpointId(), null), Json.bytes(e));
          }
          if (System.nanoTime() >= end) {
            break;
          }
        }
        consumer.commitSync();
      }
    }
    long sent = rig.sink.total();
    return new Paired.Measured(
        (sent - 1) / rig.sink.spanSeconds(),
        (cpuNanos() - cpu0) / 1e6 / Math.max(1, sent) * 1000,
        rig.sink.shape());
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
