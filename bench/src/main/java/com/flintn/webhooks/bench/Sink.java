package com.flintn.webhooks.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;

/**
 * A local HTTPS receiver for benchmarks: answers 200 after {@code latency}, or after a path's own
 * delay where one is set ({@link #slow}), except on paths marked as hanging, which never answer
 * before the client gives up. Each request has its own virtual thread, so a slow path holds no
 * other request back however many are waiting on it. Counts the requests answered and when the
 * first and last arrived and how they spread between ({@link #shape}), and can hand every body to a
 * {@link Probe}. Thread safe.
 */
final class Sink implements AutoCloseable {
  private static final long SLICE_NANOS = 50_000_000L;
  private static final int SLICES = 72_000;

  private final HttpsServer server;
  private final Path pem;
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong firstNanos = new AtomicLong();
  private final AtomicLong lastNanos = new AtomicLong();

  /** Counted requests per {@link #SLICE_NANOS} from the first, up to an hour of them. */
  private volatile AtomicIntegerArray slices = new AtomicIntegerArray(SLICES);

  private volatile Duration latency = Duration.ZERO;
  private volatile @Nullable String hangingPath = null;
  private volatile @Nullable String uncountedPath = null;
  private volatile @Nullable Probe probe = null;
  private final Map<String, Duration> slowPaths = new ConcurrentHashMap<>();

  /** Told of every answered request: its body and when it arrived ({@link System#nanoTime}). */
  interface Probe {
    void received(byte[] body, long nanos);
  }

  private Sink(HttpsServer server, Path pem) {
    this.server = server;
    this.pem = pem;
  }

  static Sink start() throws IOException {
    HeldCertificate cert =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    Path pem = Files.createTempFile("flintn-bench-sink", ".pem");
    Files.writeString(pem, cert.certificatePem());
    HandshakeCertificates tls = new HandshakeCertificates.Builder().heldCertificate(cert).build();
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    s.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
    s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    Sink sink = new Sink(s, pem);
    s.createContext("/", sink::handle);
    s.start();
    return sink;
  }

  String url(String path) {
    return "https://localhost:" + server.getAddress().getPort() + path;
  }

  Path certificatePem() {
    return pem;
  }

  void latency(Duration latency) {
    this.latency = latency;
  }

  /**
   * Requests to {@code path} are answered after {@code delay} instead of the common latency; with
   * null, no longer.
   */
  void slow(String path, @Nullable Duration delay) {
    if (delay == null) {
      slowPaths.remove(path);
    } else {
      slowPaths.put(path, delay);
    }
  }

  /** Requests to {@code path} are held until the client gives up. */
  void hang(@Nullable String path) {
    this.hangingPath = path;
  }

  /** Requests to {@code path} are answered but neither counted nor timed. */
  void uncounted(@Nullable String path) {
    this.uncountedPath = path;
  }

  /** Sets (or with null, removes) the probe told of every answered request. */
  void probe(@Nullable Probe probe) {
    this.probe = probe;
  }

  long total() {
    return total.get();
  }

  /** Seconds between the first and the last request counted. */
  double spanSeconds() {
    return (lastNanos.get() - firstNanos.get()) / 1e9;
  }

  /** How the requests counted since {@link #reset} spread over their span. */
  RunShape shape() {
    AtomicIntegerArray s = slices;
    int last = s.length() - 1;
    while (last >= 0 && s.get(last) == 0) {
      last--;
    }
    int[] counts = new int[last + 1];
    for (int i = 0; i <= last; i++) {
      counts[i] = s.get(i);
    }
    return RunShape.of(counts, SLICE_NANOS / 1_000_000);
  }

  void reset() {
    slices = new AtomicIntegerArray(SLICES);
    total.set(0);
    firstNanos.set(0);
    lastNanos.set(0);
  }

  private void handle(HttpExchange x) throws IOException {
    try (x;
        InputStream in = x.getRequestBody()) {
      byte[] body = in.readAllBytes();
      long arrived = System.nanoTime();
      String path = x.getRequestURI().getPath();
      if (path.equals(hangingPath)) {
        sleep(Duration.ofMinutes(5)); // the client's timeout ends it
        return;
      }
      sleep(slowPaths.getOrDefault(path, latency));
      if (path.equals(uncountedPath)) {
        x.sendResponseHeaders(200, -1);
        return;
      }
      long now = System.nanoTime();
      firstNanos.compareAndSet(0, now);
      lastNanos.set(now);
      total.incrementAndGet();
      long slice = (now - firstNanos.get()) / SLICE_NANOS;
      AtomicIntegerArray s = slices;
      if (slice >= 0 && slice < s.length()) {
        s.incrementAndGet((int) slice);
      }
      Probe p = probe;
      if (p != null) {
        p.received(body, arrived);
      }
      x.sendResponseHeaders(200, -1);
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pem.toFile().delete();
  }
}
