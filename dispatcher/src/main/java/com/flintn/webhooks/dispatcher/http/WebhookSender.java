package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.Printable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs one signed delivery over HTTPS and reports what came back. Redirects are never followed,
 * nothing is retried silently (one call is one attempt), TLS is always verified, and every
 * connection passes the {@link UrlGuard}. Blocking: call it from a virtual thread. Thread safe.
 */
public final class WebhookSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  /** How late past its timeout a request may be cut. */
  static final Duration DEADLINE_TICK = Duration.ofMillis(20);

  private final Duration timeout;
  private final CallDeadlines deadlines;
  private final Http1Client client;

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
    // The whole attempt (connect, TLS, write, wait, read) is bounded by the deadline; connecting
    // to one address of the host by at most 10 s of it, so that another address can be tried.
    Duration connect =
        timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
    this.client =
        new Http1Client(
            TrustedCertificates.socketFactory(config.trustedCertificates()),
            new GuardedDns(GuardedDns.SYSTEM, guard),
            new GuardedSocketFactory(guard),
            connect,
            // as many as may be in flight to one host: a busy host never reconnects for want of
            // an idle connection
            config.maxInFlightPerHost(),
            config.http2(),
            clock);
    this.deadlines =
        new CallDeadlines(clock, DEADLINE_TICK, client::evictIdle, Duration.ofSeconds(10));
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
    Http1Client.Target to =
        Objects.requireNonNull(target.target(), "a target without a refusal has a route");
    Map<String, String> headers = DeliveryRequest.headers(endpoint, delivery, body, started);
    try {
      for (Map.Entry<String, String> h : headers.entrySet()) {
        Http1Connection.check(h.getKey(), h.getValue());
      }
    } catch (IllegalArgumentException e) {
      return new SendResult.Refused(Printable.message(e), Duration.ZERO);
    }
    inFlight.incrementAndGet();
    Http1Client.Exchange exchange = new Http1Client.Exchange();
    deadlines.arm(exchange, timeout);
    try {
      Http1Connection.Answer a = client.post(to, headers, body, exchange);
      return new SendResult.Response(
          a.status(),
          Optional.ofNullable(a.retryAfter()),
          a.excerpt(),
          Duration.between(started, clock.instant()));
    } catch (UnsafeAddressException e) {
      return refused(endpoint, e, Duration.between(started, clock.instant()));
    } catch (IOException | RuntimeException e) {
      Duration took = Duration.between(started, clock.instant());
      UnsafeAddressException unsafe = findUnsafe(e);
      if (unsafe != null) {
        return refused(endpoint, unsafe, took);
      }
      if (deadlines.disarm(exchange)) {
        return new SendResult.Failure(SendResult.ErrorKind.TIMEOUT, "timeout", took);
      }
      return new SendResult.Failure(kind(e), Printable.message(e), took);
    } finally {
      deadlines.disarm(exchange);
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

  /** What the checks before a request make of one URL: where it goes, or why not. */
  private record Target(Http1Client.@Nullable Target target, @Nullable String refusal) {}

  /**
   * URLs checked so far: the checks and the parse cost more than the rest of a request's set-up.
   */
  private final Map<String, Target> targets = new ConcurrentHashMap<>();

  private static final int MAX_TARGETS = 100_000;

  /**
   * The URL guard's verdict on {@code text}, and the target read from the same parse, so the host
   * judged is the host connected to.
   */
  private Target target(String text) {
    Optional<String> refusal = guard.refusal(text);
    if (refusal.isPresent()) {
      return new Target(null, refusal.get());
    }
    try {
      return new Target(Http1Client.Target.of(new URI(text)), null);
    } catch (URISyntaxException | RuntimeException e) {
      return new Target(null, "not a usable URL: " + Printable.message(e));
    }
  }

  /** Requests sent and not yet answered or failed. */
  public int inFlight() {
    return inFlight.get();
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

  /** Idle keep-alive connections, of all hosts. */
  int idleConnections() {
    return client.idleConnections();
  }

  Http1Client client() {
    return client;
  }

  @Override
  public void close() {
    deadlines.close();
    client.close();
  }
}
