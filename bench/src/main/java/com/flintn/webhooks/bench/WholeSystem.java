package com.flintn.webhooks.bench;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.io.Directories;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * P8: the whole system as {@code standalone} runs it (dispatcher, endpoint-state app, retry
 * scheduler and admin on one broker, in one JVM), delivering to nginx, against the ceiling of a
 * native load generator (h2load, HTTP/1.1, as many connections as the dispatcher may hold) on the
 * same nginx, alternated in one run. Nginx and h2load come from Debian ({@code nginx-light}, {@code
 * nghttp2-client}); without them the scenario reports what to install and is not met.
 *
 * <p>Deliveries are counted by nginx itself ({@code stub_status}), so the figure is what a receiver
 * saw. CPU is split by component from the threads' CPU times: each Kafka client thread names its
 * client, the broker's threads their role, and the dispatcher's deliveries run on the
 * virtual-thread carriers.
 */
final class WholeSystem {
  /** Client id of the benchmark's own producer, whose CPU is the load's, not the product's. */
  static final String LOAD_CLIENT = "bench-load";

  private static final int ENDPOINTS = 10;
  private static final Duration NO_PROGRESS = Duration.ofSeconds(90);
  private static final Pattern H2LOAD_RATE =
      Pattern.compile("finished in [0-9.]+m?s, ([0-9.]+) req/s");

  private final Rig rig;
  private final PrintStream out;

  /** CPU of the measured runs by component and thread, and the deliveries they made. */
  private final Map<String, Long> measuredThreads = new TreeMap<>();

  private long measuredEvents;

  WholeSystem(Rig rig, PrintStream out) {
    this.rig = rig;
    this.out = out;
  }

  /** The native tools, or what is missing. */
  record Tools(Path nginx, Path h2load) {
    static Optional<Tools> find() {
      Optional<Path> nginx = onPath("nginx");
      Optional<Path> h2load = onPath("h2load");
      return nginx.isPresent() && h2load.isPresent()
          ? Optional.of(new Tools(nginx.get(), h2load.get()))
          : Optional.empty();
    }

    private static Optional<Path> onPath(String name) {
      List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/usr/local/bin"));
      String path = System.getenv("PATH");
      if (path != null) {
        dirs.addAll(0, List.of(path.split(":")));
      }
      return dirs.stream().map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
  }

  Result run(int events, int pairs) throws Exception {
    String scenario =
        events + " events, 10 endpoints on nginx (return 200, 1 worker), whole standalone system";
    String baselineName = "h2load --h1 on the same nginx, same body, same concurrency";
    Optional<Tools> tools = Tools.find();
    if (tools.isEmpty()) {
      String why = "not run: needs nginx and h2load (apt-get install nginx-light nghttp2-client)";
      out.println("  P8 " + why);
      return new Result(
          "P8",
          scenario,
          "deliveries/s",
          List.of(),
          baselineName,
          ">= 0.5 x h2load",
          false,
          why,
          Map.of());
    }
    Path dir = Files.createTempDirectory("flintn-bench-nginx");
    try (Nginx nginx = Nginx.start(tools.get().nginx(), dir);
        Standalone system = Standalone.start(rig, nginx)) {
      // the body of a delivery: the event envelope as upstream produced it
      Path bodyFile = dir.resolve("body.json");
      Files.write(bodyFile, system.sampleEvent());
      int concurrency = ENDPOINTS * system.config.http().maxInFlightPerEndpoint();
      Map<String, List<Double>> cpuByComponent = new TreeMap<>();
      List<Result.Run> runs =
          Paired.alternate(
              "P8",
              pairs,
              (tag, warmup) -> deliver(system, nginx, events, cpuByComponent, warmup),
              (tag, warmup) -> h2load(tools.get().h2load(), nginx, bodyFile, events, concurrency),
              out);
      Result r =
          new Result(
              "P8",
              scenario,
              "deliveries/s",
              runs,
              baselineName,
              ">= 0.5 x h2load",
              false,
              "",
              Map.of());
      Map<String, Object> cpu = new LinkedHashMap<>();
      cpuByComponent.forEach((k, v) -> cpu.put(k, Stats.spread(toArray(v)).median()));
      r.details().put("cpu_ms_per_1000_by_component", cpu);
      r.details().put("concurrency", concurrency);
      Map<String, Long> others = new TreeMap<>();
      ThreadCpu.OTHERS.forEach((k, v) -> others.put(k, v / 1_000_000));
      r.details().put("other_threads_cpu_ms", others);
      Map<String, Double> perThread = new LinkedHashMap<>();
      measuredThreads.entrySet().stream()
          .filter(e -> !e.getKey().startsWith("load generator"))
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .filter(e -> e.getValue() / 1e6 / measuredEvents * 1000 >= 0.1)
          .forEach(
              e ->
                  perThread.put(
                      e.getKey(), Math.round(e.getValue() / 1e5 / measuredEvents * 1000) / 10.0));
      r.details().put("cpu_ms_per_1000_by_thread", perThread);
      StringBuilder split = new StringBuilder();
      cpu.forEach(
          (k, v) ->
              split
                  .append(split.isEmpty() ? "" : ", ")
                  .append(k)
                  .append(' ')
                  .append(String.format(Locale.ROOT, "%.0f", (Double) v)));
      out.println("  P8 CPU ms per 1,000 deliveries (median): " + split);
      return r.withMet(r.ratio() >= 0.5, "CPU ms per 1,000: " + split);
    } finally {
      Directories.deleteQuietly(dir);
    }
  }

  private static double[] toArray(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /**
   * One whole-system run: {@code events} new events produced as fast as an upstream service would,
   * counted at nginx from its first request of the run to the last.
   */
  private Paired.Measured deliver(
      Standalone system,
      Nginx nginx,
      int events,
      Map<String, List<Double>> cpuByComponent,
      boolean warmup)
      throws Exception {
    long start = nginx.requests();
    Map<Long, ThreadCpu> before = ThreadCpu.snapshot();
    long process0 = Scenarios.cpuNanos();
    long nginx0 = nginx.cpuNanos();
    system.produce(events);
    long target = start + events;
    long firstAt = -1;
    long firstCount = 0;
    long seen = start;
    long progressAt = System.nanoTime();
    long now;
    long count;
    while (true) {
      count = nginx.requests();
      now = System.nanoTime();
      if (count != seen) {
        seen = count;
        progressAt = now;
        if (firstAt < 0) {
          firstAt = now;
          firstCount = count;
        }
      }
      if (count >= target) {
        break;
      }
      if (now - progressAt > NO_PROGRESS.toNanos()) {
        throw new IllegalStateException(
            "P8: nginx counted "
                + (count - start)
                + " of "
                + events
                + ", none for "
                + NO_PROGRESS.toSeconds()
                + " s; load average "
                + BenchApp.loadAverage());
      }
      Thread.sleep(10);
    }
    double rate = (count - firstCount) / ((now - firstAt) / 1e9);
    long processCpu = Scenarios.cpuNanos() - process0;
    Map<String, Long> byThread = new TreeMap<>();
    Map<String, Long> split = ThreadCpu.byComponent(before, ThreadCpu.snapshot(), byThread);
    long threads = split.values().stream().mapToLong(Long::longValue).sum();
    split.merge("jvm (gc, jit)", Math.max(0, processCpu - threads), Long::sum);
    split.put("nginx", nginx.cpuNanos() - nginx0);
    split.remove("load generator");
    if (!warmup) {
      byThread.forEach((k, v) -> measuredThreads.merge(k, v, Long::sum));
      measuredEvents += events;
      split.forEach(
          (k, v) ->
              cpuByComponent
                  .computeIfAbsent(k, x -> new ArrayList<>())
                  .add(v / 1e6 / events * 1000));
    }
    long product =
        split.entrySet().stream()
            .filter(e -> !e.getKey().equals("nginx"))
            .mapToLong(Map.Entry::getValue)
            .sum();
    return new Paired.Measured(rate, product / 1e6 / events * 1000);
  }

  private Paired.Measured h2load(Path h2load, Nginx nginx, Path body, int n, int concurrency)
      throws Exception {
    long nginx0 = nginx.cpuNanos();
    Process p =
        new ProcessBuilder(
                h2load.toString(),
                "--h1",
                "-c",
                String.valueOf(concurrency),
                "-n",
                String.valueOf(n),
                "-d",
                body.toString(),
                "-H",
                "content-type: application/json",
                nginx.url("/ceiling"))
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    Matcher m = H2LOAD_RATE.matcher(text);
    if (exit != 0 || !m.find() || !text.contains(n + " succeeded")) {
      throw new IllegalStateException(
          "P8: h2load did not finish cleanly (exit " + exit + "): " + text);
    }
    return new Paired.Measured(
        Double.parseDouble(m.group(1)), (nginx.cpuNanos() - nginx0) / 1e6 / n * 1000);
  }

  /**
   * The system as {@code standalone} runs it, on the rig's broker, endpoints made through the API.
   */
  private static final class Standalone implements AutoCloseable {
    private final Rig rig;
    final FlintnConfig config;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final KafkaProducer<byte[], byte[]> producer;
    private long produced;

    private Standalone(Rig rig, FlintnConfig config) {
      this.rig = rig;
      this.config = config;
      this.producer = producer(config);
    }

    static Standalone start(Rig rig, Nginx nginx) throws Exception {
      Map<ConfigKey, String> v = new LinkedHashMap<>();
      v.put(ConfigKey.KAFKA_BOOTSTRAP_SERVERS, rig.kafka.bootstrapServers());
      v.put(ConfigKey.TOPICS_PREFIX, "p8");
      v.put(ConfigKey.TOPICS_PARTITIONS, "6");
      v.put(ConfigKey.TOPICS_REPLICATION_FACTOR, "1");
      v.put(ConfigKey.URL_GUARD_ALLOW, "127.0.0.1/32");
      v.put(ConfigKey.HTTP_TRUSTED_CERTIFICATES, nginx.certificate.toString());
      v.put(ConfigKey.SECRETS_ENCRYPTION_KEY, rig.encryptionKey());
      v.put(ConfigKey.ADMIN_PORT, String.valueOf(Nginx.freePort()));
      FlintnConfig c =
          FlintnConfig.from(ConfigValues.load(Optional.empty(), Map.of(), new EnumMap<>(v)));
      try (Admin admin = rig.admin()) {
        new TopicCreator(admin).createAll(c.topicCatalog(), 6, (short) 1);
      }
      Standalone s = new Standalone(rig, c);
      try {
        s.startComponents(nginx);
      } catch (Exception e) {
        s.close();
        throw e;
      }
      return s;
    }

    private void startComponents(Nginx nginx) throws Exception {
      var registry = new SimpleMeterRegistry();
      EndpointStateApp endpointState = new EndpointStateApp(config, registry);
      endpointState.start();
      running.add(0, endpointState);
      DispatcherApp dispatcher = new DispatcherApp(config, rig.clock, registry);
      dispatcher.start();
      running.add(0, dispatcher);
      RetrySchedulerApp scheduler = new RetrySchedulerApp(config, rig.clock, registry);
      scheduler.start();
      running.add(0, scheduler);
      String key = ApiKeys.generate();
      AdminApp admin =
          new AdminApp(config, ApiKeys.of(List.of(key), List.of(Rig.ACCOUNT)), rig.clock, registry);
      admin.start();
      running.add(0, admin);
      List<EndpointId> ids = new ArrayList<>();
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < ENDPOINTS; i++) {
        String json =
            "{\"name\":\"nginx "
                + i
                + "\",\"url\":\""
                + nginx.url("/e" + i)
                + "\",\"event_types\":[\""
                + Rig.type(i)
                + "\"]}";
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create("http://localhost:" + config.admin().port() + "/v1/webhooks"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
          throw new IllegalStateException(
              "P8: creating an endpoint got " + r.statusCode() + ": " + r.body());
        }
        Matcher m = Pattern.compile("\"id\":\"(ep_[A-Za-z0-9]+)\"").matcher(r.body());
        if (!m.find()) {
          throw new IllegalStateException("P8: no endpoint id in " + r.body());
        }
        ids.add(EndpointId.of(m.group(1)));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!ids.stream().allMatch(id -> dispatcher.knownEndpoint(id).isPresent())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("P8: the endpoints did not reach the dispatcher in 60 s");
        }
        Thread.sleep(20);
      }
    }

    /** One event of the kind {@link #produce} sends, as its record value. */
    byte[] sampleEvent() {
      return Rig.event(
              config.topicCatalog().events().name(),
              config,
              0,
              0,
              rig.clock.instant().toString(),
              "{\"order_id\":\"ord_0\",\"amount\":4200,\"currency\":\"EUR\"}")
          .value();
    }

    /** Produces {@code n} events over the endpoints' types, as an upstream service would. */
    @SuppressWarnings("FutureReturnValueIgnored") // a record not written shows as missing
    void produce(int n) {
      String topic = config.topicCatalog().events().name();
      String created = rig.clock.instant().toString();
      for (int k = 0; k < n; k++) {
        long id = produced++;
        producer.send(
            Rig.event(
                topic,
                config,
                id,
                (int) (id % ENDPOINTS),
                created,
                "{\"order_id\":\"ord_" + id + "\",\"amount\":4200,\"currency\":\"EUR\"}"));
      }
      producer.flush();
    }

    private static KafkaProducer<byte[], byte[]> producer(FlintnConfig c) {
      var p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().bootstrapServers());
      p.put(ProducerConfig.CLIENT_ID_CONFIG, LOAD_CLIENT);
      p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(5));
      for (AutoCloseable r : running) {
        try {
          r.close();
        } catch (Exception e) {
          System.err.println("P8: while stopping: " + e.getMessage());
        }
      }
      try {
        rig.drop(config);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        System.err.println("P8: while dropping its topics: " + e.getMessage());
      }
    }
  }
}
