package com.flintn.webhooks.bench;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.event.EventParser;
import com.flintn.webhooks.common.event.ParsedEvent;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.topic.KafkaClients;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.dispatcher.http.WebhookSender;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The scenarios of BENCHMARKS.md, each with the baseline it is compared with in the same run. */
final class Scenarios {
  private final Rig rig;

  Scenarios(Rig rig) {
    this.rig = rig;
  }

  /** P1: deliveries/s of the dispatcher vs the raw HTTP ceiling (same client, bodies, sinks). */
  Result throughput(int events) throws Exception {
    rig.sink.latency(Duration.ZERO);
    FlintnConfig c = rig.config("p1", 6);
    List<Endpoint> eps = rig.endpoints(c, 10);
    int concurrency = eps.size() * c.http().maxInFlightPerEndpoint();
    double ceiling = ceiling(c, eps, events, concurrency);
    rig.events(c, events, k -> k % eps.size());
    Run run = dispatch(c, events, Duration.ofMinutes(10));
    return new Result(
        "P1",
        events + " events, 10 endpoints, instant 200",
        "deliveries/s",
        run.rate,
        ceiling,
        "raw HTTP ceiling (same OkHttp sender, signed bodies, " + concurrency + " concurrent)",
        ">= 0.8 x ceiling",
        run.rate >= 0.8 * ceiling,
        run.cpuMsPer1000,
        "");
  }

  /** P2: deliveries/s with 20 ms sinks vs a naive poll-POST-commit loop. */
  Result latencySinks(int events, Duration naiveFor) throws Exception {
    rig.sink.latency(Duration.ofMillis(20));
    FlintnConfig c = rig.config("p2", 6);
    List<Endpoint> eps = rig.endpoints(c, 10);
    rig.events(c, events, k -> k % eps.size());
    double naive = naiveLoop(c, eps, naiveFor);
    Run run = dispatch(c, events, Duration.ofMinutes(10));
    rig.sink.latency(Duration.ZERO);
    double ratio = run.rate / naive;
    return new Result(
        "P2",
        events + " events, 10 endpoints, 20 ms sink latency",
        "deliveries/s",
        run.rate,
        naive,
        "naive loop: poll, POST each in turn, commit",
        ">= 100 x naive",
        ratio >= 100,
        run.cpuMsPer1000,
        "");
  }

  /** P3: healthy endpoints' deliveries/s with one endpoint hanging vs all healthy. */
  Result isolation(int events) throws Exception {
    rig.sink.latency(Duration.ZERO);
    FlintnConfig healthyRun = rig.config("p3a", 6);
    List<Endpoint> a = rig.endpoints(healthyRun, 10);
    rig.events(healthyRun, events, k -> k % a.size());
    long healthyExpected = healthyCount(events, 10);
    Run all = dispatchHealthy(healthyRun, healthyExpected, "/p3a/9");
    FlintnConfig hangingRun = rig.config("p3b", 6);
    List<Endpoint> b = rig.endpoints(hangingRun, 10);
    rig.events(hangingRun, events, k -> k % b.size());
    rig.sink.hang("/p3b/9");
    Run hanging = dispatchHealthy(hangingRun, healthyExpected, "/p3b/9");
    rig.sink.hang(null);
    double loss = 1 - hanging.rate / all.rate;
    return new Result(
        "P3",
        events + " events, 10 endpoints, one never answers (5 s timeout)",
        "healthy deliveries/s",
        hanging.rate,
        all.rate,
        "same run with all endpoints healthy",
        "healthy lose <= 10%",
        loss <= 0.10,
        hanging.cpuMsPer1000,
        String.format("healthy throughput loss %.1f%%", loss * 100));
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

  private record Run(double rate, double cpuMsPer1000) {}

  private Run dispatch(FlintnConfig c, long expected, Duration max) throws Exception {
    rig.sink.reset();
    long cpu0 = cpuNanos();
    try (DispatcherApp d = new DispatcherApp(c, rig.clock)) {
      d.start();
      awaitTotal(expected, max);
    }
    long cpu = cpuNanos() - cpu0;
    return new Run((expected - 1) / rig.sink.spanSeconds(), cpu / 1e6 / expected * 1000);
  }

  /** Like dispatch, counting only the healthy endpoints' deliveries. */
  private Run dispatchHealthy(FlintnConfig c, long healthy, String hangingPath) throws Exception {
    rig.sink.reset();
    long cpu0 = cpuNanos();
    try (DispatcherApp d = new DispatcherApp(c, rig.clock)) {
      d.start();
      awaitTotal(healthy, Duration.ofMinutes(10));
      d.halt(); // the hanging endpoint's deliveries would take their timeouts; not measured
    }
    long cpu = cpuNanos() - cpu0;
    return new Run((healthy - 1) / rig.sink.spanSeconds(), cpu / 1e6 / healthy * 1000);
  }

  private void awaitTotal(long expected, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (rig.sink.total() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + rig.sink.total() + " of " + expected + " delivered within " + max);
      }
      Thread.sleep(20);
    }
  }

  /** The same sender and signed bodies, {@code concurrency} requests at once, no Kafka. */
  private double ceiling(FlintnConfig c, List<Endpoint> eps, int n, int concurrency)
      throws Exception {
    rig.sink.reset();
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
    try (WebhookSender sender =
            new WebhookSender(c.http(), new UrlGuard(c.urlGuardAllow()), rig.clock);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        pool.submit(
            () -> {
              for (int k; (k = next.getAndIncrement()) < n; ) {
                sender.send(eps.get(k % eps.size()), deliveries.get(k), bodies.get(k));
              }
            });
      }
    }
    return (rig.sink.total() - 1) / rig.sink.spanSeconds();
  }

  /** Poll, POST each record in turn, commit: what a first version usually is. */
  private double naiveLoop(FlintnConfig c, List<Endpoint> eps, Duration runFor) {
    rig.sink.reset();
    var props = KafkaClients.consumer(c.kafka().bootstrapServers(), c.topics().prefix() + ".naive");
    EventParser parser = new EventParser(c.dispatcher().maxEventBytes());
    long sent = 0;
    long start = System.nanoTime();
    long end = start + runFor.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        WebhookSender sender =
            new WebhookSender(c.http(), new UrlGuard(c.urlGuardAllow()), rig.clock)) {
      consumer.subscribe(List.of(c.topicCatalog().events().name()));
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          if (parser.parse(r.value()) instanceof ParsedEvent.Valid v) {
            Event e = v.event();
            Endpoint ep = eps.get(Integer.parseInt(e.eventType().substring(7)));
            sender.send(ep, Delivery.first(e, ep.endpointId(), null), Json.bytes(e));
            sent++;
          }
          if (System.nanoTime() >= end) {
            break;
          }
        }
        consumer.commitSync();
      }
    }
    return sent / ((System.nanoTime() - start) / 1e9);
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
