package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Printable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one signed delivery over HTTPS and reports what came back. Redirects are never followed,
 * OkHttp's silent retry is off (one call is one attempt), TLS is always verified, and every
 * connection passes the {@link UrlGuard}. Blocking: call it from a virtual thread. Thread safe.
 */
public final class WebhookSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
  private static final MediaType JSON = MediaType.get("application/json");

  /**
   * Clients that share everything but their connection pool; an endpoint always uses the same one.
   * OkHttp finds a pooled connection by walking the whole pool, so with one pool every request
   * walked every connection of every endpoint: with 10 endpoints at 16 connections each, a fifth of
   * the dispatcher's CPU (docs/design.md §12). Each endpoint's connections stay in one pool, where
   * its requests find them; endpoints that share a shard and a host share connections.
   */
  private final OkHttpClient[] clients;

  /** How late past its timeout a request may be cut. */
  static final Duration DEADLINE_TICK = Duration.ofMillis(20);

  private final Duration timeout;
  private final CallDeadlines deadlines;

  /** Connection pools: enough that each holds few endpoints, few enough to share idle sockets. */
  static final int POOLS = 16;

  /** Idle connections kept per pool, for 5 minutes at most. */
  private static final int IDLE_PER_POOL = 64;

  private final AtomicInteger inFlight = new AtomicInteger();
  private final UrlGuard guard;
  private final Clock clock;

  private static final long WARN_EVERY_MILLIS = 60_000;

  /** When a refusal was last logged, per endpoint. */
  private final Map<EndpointId, Long> lastWarned = new ConcurrentHashMap<>();

  public WebhookSender(HttpConfig config, UrlGuard guard, Clock clock) {
    this.guard = guard;
    this.clock = clock;
    Duration timeout = config.timeout();
    this.timeout = timeout;
    this.deadlines = new CallDeadlines(clock, DEADLINE_TICK);
    Duration connect =
        timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .proxy(Proxy.NO_PROXY) // a proxy would hide the real target from the URL guard
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            // The whole attempt (connect, write, wait, read) is bounded by the deadlines below.
            // OkHttp's call, read and write timeouts would each arm and disarm a timer in one
            // shared queue on every call or socket read and write: its busiest lock under load.
            .connectTimeout(connect)
            .readTimeout(Duration.ZERO)
            .writeTimeout(Duration.ZERO)
            .dns(new GuardedDns(Dns.SYSTEM, guard))
            .socketFactory(new GuardedSocketFactory(guard));
    TrustedCertificates.apply(b, config.trustedCertificates());
    OkHttpClient base = b.build();
    this.clients = new OkHttpClient[POOLS];
    for (int i = 0; i < POOLS; i++) {
      clients[i] =
          base.newBuilder()
              .connectionPool(new ConnectionPool(IDLE_PER_POOL, 5, TimeUnit.MINUTES))
              .build();
    }
  }

  /**
   * Sends {@code body} (the exact bytes that are signed) for {@code delivery} to {@code endpoint}.
   */
  public SendResult send(Endpoint endpoint, Delivery delivery, byte[] body) {
    Instant started = clock.instant();
    Target target = targets.computeIfAbsent(endpoint.url(), this::target);
    if (targets.size() > MAX_TARGETS) {
      targets.clear(); // rebuilt on use: the cache only saves parsing
    }
    String refusal = target.refusal();
    if (refusal != null) {
      return new SendResult.Refused(refusal, Duration.ZERO);
    }
    HttpUrl url = Objects.requireNonNull(target.url(), "a target without a refusal has a URL");
    Request.Builder request;
    try {
      request = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
      for (Map.Entry<String, String> h :
          DeliveryRequest.headers(endpoint, delivery, body, started).entrySet()) {
        request.header(h.getKey(), h.getValue());
      }
    } catch (IllegalArgumentException e) {
      return new SendResult.Refused("not a usable URL: " + e.getMessage(), Duration.ZERO);
    }
    inFlight.incrementAndGet();
    OkHttpClient client = clients[Math.floorMod(endpoint.endpointId().hashCode(), POOLS)];
    Call call = client.newCall(request.build());
    deadlines.arm(call, timeout);
    try (Response response = call.execute()) {
      String excerpt = excerpt(response.body());
      return new SendResult.Response(
          response.code(),
          Optional.ofNullable(response.header("Retry-After")),
          excerpt,
          Duration.between(started, clock.instant()));
    } catch (UnsafeAddressException e) {
      return refused(endpoint, e, Duration.between(started, clock.instant()));
    } catch (IOException | IllegalArgumentException e) {
      Duration took = Duration.between(started, clock.instant());
      UnsafeAddressException unsafe = findUnsafe(e);
      if (unsafe != null) {
        return refused(endpoint, unsafe, took);
      }
      if (deadlines.disarm(call)) {
        return new SendResult.Failure(SendResult.ErrorKind.TIMEOUT, "timeout", took);
      }
      return new SendResult.Failure(kind(e), String.valueOf(e.getMessage()), took);
    } finally {
      deadlines.disarm(call);
      inFlight.decrementAndGet();
    }
  }

  /**
   * A refusal after DNS: the tenant's attempt record gets the generic reason, the operator's log
   * the refused address (at most once a minute per endpoint, so a busy endpoint with a bad URL does
   * not flood it). The host is logged, never the URL: its path or query may hold a token.
   */
  private SendResult refused(Endpoint endpoint, UnsafeAddressException e, Duration took) {
    long now = clock.millis();
    Long before = lastWarned.get(endpoint.endpointId());
    if (before == null || now - before >= WARN_EVERY_MILLIS) {
      lastWarned.put(endpoint.endpointId(), now);
      log.warn(
          "URL guard refused a delivery to endpoint {} of account {}: {}",
          endpoint.endpointId().value(),
          endpoint.accountId().value(),
          e.detail());
    }
    return new SendResult.Refused(Printable.message(e), took);
  }

  /** What the checks before a request make of one URL: the URL to call, or why not. */
  private record Target(@Nullable HttpUrl url, @Nullable String refusal) {}

  /**
   * URLs checked so far: the checks and the parse cost more than the rest of a request's set-up.
   */
  private final Map<String, Target> targets = new ConcurrentHashMap<>();

  private static final int MAX_TARGETS = 100_000;

  /** The URL guard's verdict on {@code text}, then OkHttp's reading of it and their agreement. */
  private Target target(String text) {
    Optional<String> refusal = guard.refusal(text);
    if (refusal.isPresent()) {
      return new Target(null, refusal.get());
    }
    HttpUrl url = HttpUrl.parse(text);
    if (url == null) {
      return new Target(null, "not a usable URL");
    }
    Optional<String> differs = sameTarget(text, url);
    return differs.map(d -> new Target(null, d)).orElseGet(() -> new Target(url, null));
  }

  /**
   * The guard read the URL with {@link URI}; OkHttp reads it again, more leniently (it decodes
   * percent-escapes and normalises Unicode in hosts, for one). A URL that the two read as different
   * targets is refused, so the guard always judges the host that is connected to.
   */
  static Optional<String> sameTarget(String text, HttpUrl url) {
    URI uri = URI.create(text); // the guard has accepted it: it parses
    String host = uri.getHost();
    boolean same;
    if (host.startsWith("[")) {
      // OkHttp writes an IPv4-mapped address as the IPv4 address it maps
      String read = url.host();
      same =
          (read.contains(":") || read.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
              && sameAddress(host.substring(1, host.length() - 1), read);
    } else {
      same = host.equalsIgnoreCase(url.host());
    }
    int port = uri.getPort() == -1 ? 443 : uri.getPort();
    if (!same || port != url.port() || !url.isHttps() || !url.username().isEmpty()) {
      return Optional.of(
          "the URL is read as two different targets (" + host + " and " + url.host() + ")");
    }
    return Optional.empty();
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Requests sent and not yet answered or failed. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * The start of the response body, best effort: the status decides the outcome, so a body that is
   * slow, broken or endless after the status line yields what arrived, never a failure.
   */
  private static String excerpt(ResponseBody body) {
    BufferedSource source = body.source();
    try {
      source.request(AttemptRecord.MAX_EXCERPT_CHARS);
    } catch (IOException e) {
      // keep what was buffered
    }
    okio.Buffer buffered = source.getBuffer();
    long n = Math.min(buffered.size(), AttemptRecord.MAX_EXCERPT_CHARS);
    try {
      return buffered.readUtf8(n);
    } catch (EOFException e) {
      return ""; // cannot happen: n bytes are buffered
    }
  }

  private static @Nullable UnsafeAddressException findUnsafe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnsafeAddressException u) {
        return u;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof UnsafeAddressException u) {
          return u;
        }
      }
    }
    return null;
  }

  static SendResult.ErrorKind kind(Exception e) {
    if (e instanceof SSLException) {
      return SendResult.ErrorKind.TLS;
    }
    if (e instanceof UnknownHostException) {
      return SendResult.ErrorKind.DNS;
    }
    if (e instanceof ConnectException) {
      return SendResult.ErrorKind.CONNECTION_REFUSED;
    }
    if (e instanceof InterruptedIOException) {
      return SendResult.ErrorKind.TIMEOUT;
    }
    if (e instanceof SocketException) {
      return SendResult.ErrorKind.CONNECTION_RESET;
    }
    return SendResult.ErrorKind.IO;
  }

  @Override
  public void close() {
    deadlines.close();
    clients[0].dispatcher().executorService().shutdown(); // one dispatcher, shared
    for (OkHttpClient c : clients) {
      c.connectionPool().evictAll();
    }
  }
}
