package com.flintn.webhooks.bench;

import com.flintn.webhooks.admin.AdminApp;
import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.config.ConfigValues;
import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.topic.TopicCreator;
import com.flintn.webhooks.dispatcher.DispatcherApp;
import com.flintn.webhooks.endpointstate.EndpointStateApp;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.tls.HeldCertificate;
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
  private static final int ENDPOINTS = 10;
  private static final Duration NO_PROGRESS = Duration.ofSeconds(90);
  private static final Pattern H2LOAD_RATE =
      Pattern.compile("finished in [0-9.]+m?s, ([0-9.]+) req/s");

  private final Rig rig;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newHttpClient();

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
      byte[] body = Rig.sampleEventJson(0).getBytes(StandardCharsets.UTF_8);
      Path bodyFile = dir.resolve("body.json");
      Files.write(bodyFile, body);
      int concurrency = ENDPOINTS * system.config.http().maxInFlightPerEndpoint();
      Map<String, List<Double>> cpuByComponent = new TreeMap<>();
      List<Result.Run> runs =
          Paired.alternate(
              "P8",
              pairs,
              (tag, warmup) -> {
                Paired.Measured m = deliver(system, nginx, events, cpuByComponent, warmup);
                return m;
              },
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
      StringBuilder split = new StringBuilder();
      cpu.forEach(
          (k, v) ->
              split
                  .append(split.isEmpty() ? "" : ", ")
                  .append(k)
                  .append(' ')
                  .append(String.format(Locale.ROOT, "%.0f", (Double) v)));
      out.println("  P8 CPU ms per 1,000 deliveries (median): " + split);
      return new Result(
          r.id(),
          r.scenario(),
          r.unit(),
          r.runs(),
          r.baselineName(),
          r.target(),
          r.ratio() >= 0.5,
          "CPU ms per 1,000: " + split,
          r.details());
    } finally {
      deleteTree(dir);
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
    Map<String, Long> split = ThreadCpu.byComponent(before, ThreadCpu.snapshot());
    long threads = split.values().stream().mapToLong(Long::longValue).sum();
    split.merge("jvm (gc, jit)", Math.max(0, processCpu - threads), Long::sum);
    split.put("nginx", nginx.cpuNanos() - nginx0);
    split.remove("load generator");
    if (!warmup) {
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

  /** CPU time of one live thread at a moment. */
  record ThreadCpu(String name, long nanos) {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU of the threads no component claims, by name (digits folded), for the notes. */
    static final Map<String, Long> OTHERS = new java.util.concurrent.ConcurrentHashMap<>();

    static Map<Long, ThreadCpu> snapshot() {
      Map<Long, ThreadCpu> m = new HashMap<>();
      for (var info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info == null) {
          continue;
        }
        long cpu = THREADS.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          m.put(info.getThreadId(), new ThreadCpu(info.getThreadName(), cpu));
        }
      }
      return m;
    }

    /** CPU used between two snapshots, by component; threads that ended in between are lost. */
    static Map<String, Long> byComponent(Map<Long, ThreadCpu> before, Map<Long, ThreadCpu> after) {
      Map<String, Long> m = new TreeMap<>();
      after.forEach(
          (id, t) -> {
            ThreadCpu b = before.get(id);
            long used = t.nanos() - (b == null ? 0 : b.nanos());
            String c = component(t.name());
            m.merge(c, used, Long::sum);
            if (c.equals("other") && used > 50_000_000L) {
              OTHERS.merge(t.name().replaceAll("[0-9]+", "N"), used, Long::sum);
            }
          });
      return m;
    }

    /**
     * The component a thread works for. Kafka client threads end in {@code | <client id>}; the
     * dispatcher's deliveries run on virtual threads, whose carriers are the fork-join workers.
     */
    static String component(String thread) {
      String client = thread.contains(" | ") ? thread.substring(thread.indexOf(" | ") + 3) : "";
      String t = client.isEmpty() ? thread : client;
      if (t.startsWith(Standalone.LOAD_CLIENT) || t.equals("main") || t.startsWith("HttpClient-")) {
        // the bench's own producer, its main thread, and its status polls of nginx
        return "load generator";
      }
      if (t.contains("endpoint-state")) {
        return "endpoint-state";
      }
      if (t.contains("retry") || t.contains("tier") || t.contains("scheduler")) {
        return "retry-scheduler";
      }
      if (t.startsWith("admin") || t.contains("attempt-log") || t.contains("replay")) {
        return "admin";
      }
      if (t.contains("dispatcher")
          || t.startsWith("ForkJoinPool")
          || t.startsWith("OkHttp")
          || t.startsWith("delivery")
          || t.startsWith("VirtualThread-")
          || t.startsWith("endpoint-view")) {
        return "dispatcher";
      }
      if (client.isEmpty()
          && (t.startsWith("data-plane")
              || t.startsWith("kafka-")
              || t.startsWith("broker-")
              || t.startsWith("group-coordinator")
              || t.startsWith("share-")
              || t.startsWith("quorum-controller")
              || t.startsWith("ExpirationReaper")
              || t.startsWith("TxnMarker")
              || t.startsWith("AddPartitionsToTxn")
              || t.startsWith("executor-")
              || t.startsWith("transaction")
              || t.startsWith("LogDirFailureHandler")
              || t.contains("raft"))) {
        return "broker";
      }
      return "other";
    }
  }

  /**
   * The system as {@code standalone} runs it, on the rig's broker, endpoints made through the API.
   */
  private static final class Standalone implements AutoCloseable {
    static final String LOAD_CLIENT = "bench-load";
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
      v.put(ConfigKey.ADMIN_PORT, String.valueOf(freePort()));
      FlintnConfig c =
          FlintnConfig.from(
              ConfigValues.load(Optional.empty(), Map.of(), new java.util.EnumMap<>(v)));
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

    /** Produces {@code n} events over the endpoints' types, as an upstream service would. */
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
      var p = new java.util.Properties();
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

  /** One nginx worker answering every POST with 200 over TLS, with a plain status port. */
  private static final class Nginx implements AutoCloseable {
    final Path certificate;
    private final Process process;
    private final int tlsPort;
    private final int statusPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private long polls;

    private Nginx(Path certificate, Process process, int tlsPort, int statusPort) {
      this.certificate = certificate;
      this.process = process;
      this.tlsPort = tlsPort;
      this.statusPort = statusPort;
    }

    static Nginx start(Path nginx, Path dir) throws Exception {
      HeldCertificate cert =
          new HeldCertificate.Builder()
              .addSubjectAlternativeName("127.0.0.1")
              .addSubjectAlternativeName("localhost")
              .duration(1, java.util.concurrent.TimeUnit.DAYS)
              .build();
      Path certFile = dir.resolve("cert.pem");
      Path keyFile = dir.resolve("key.pem");
      Files.writeString(certFile, cert.certificatePem());
      Files.writeString(keyFile, cert.privateKeyPkcs8Pem());
      int tls = freePort();
      int status = freePort();
      String conf =
          String.join(
              "\n",
              "worker_processes 1;",
              "master_process off;",
              "daemon off;",
              "pid " + dir.resolve("nginx.pid") + ";",
              "error_log " + dir.resolve("error.log") + " warn;",
              "events { worker_connections 4096; }",
              "http {",
              "  access_log off;",
              "  client_body_temp_path " + dir.resolve("body") + ";",
              "  keepalive_requests 1000000;",
              "  server {",
              "    listen 127.0.0.1:" + tls + " ssl;",
              "    ssl_certificate " + certFile + ";",
              "    ssl_certificate_key " + keyFile + ";",
              "    location / { return 200; }",
              "  }",
              "  server {",
              "    listen 127.0.0.1:" + status + ";",
              "    location = /status { stub_status; }",
              "  }",
              "}",
              "");
      Path confFile = dir.resolve("nginx.conf");
      Files.writeString(confFile, conf);
      Process p =
          new ProcessBuilder(nginx.toString(), "-c", confFile.toString(), "-p", dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("nginx.out").toFile())
              .start();
      Nginx n = new Nginx(certFile, p, tls, status);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        try {
          n.requests();
          return n;
        } catch (IOException e) {
          if (!p.isAlive() || System.nanoTime() > deadline) {
            p.destroyForcibly();
            throw new IllegalStateException(
                "P8: nginx did not start: " + Files.readString(dir.resolve("nginx.out")));
          }
          Thread.sleep(50);
        }
      }
    }

    String url(String path) {
      return "https://127.0.0.1:" + tlsPort + path;
    }

    /** Requests nginx has answered, less this class's own status requests. */
    long requests() throws IOException, InterruptedException {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/status"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      polls++;
      // "server accepts handled requests\n A H R"
      String[] lines = r.body().split("\n");
      String[] counts = lines[2].trim().split("\\s+");
      return Long.parseLong(counts[2]) - polls;
    }

    long cpuNanos() {
      return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; best effort
    }
  }
}
