package com.flintn.webhooks.dispatcher.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * The deliveries' HTTP client: HTTPS POSTs over HTTP/1.1 keep-alive connections, pooled by host and
 * port (docs/design.md §12, "The delivery client"). Every connection is made through {@link
 * GuardedDns} and {@link GuardedSocketFactory}, so the URL guard judges the address really
 * connected to; TLS is always verified, including the host name; nothing is retried, redirected or
 * proxied: one call is one attempt. Taking and giving back a pooled connection is a constant-time
 * step under the lock of its host alone. Thread safe; calls block, so make them on virtual threads.
 */
final class Http1Client implements AutoCloseable {
  /** An idle connection is closed after this long. */
  static final Duration MAX_IDLE = Duration.ofMinutes(5);

  /**
   * A connection idle this long is checked before it carries a request (a read of at most 1 ms).
   * Receivers close idle connections after their own keep-alive timeout, Node.js's after 5 s: a
   * request written on such a connection fails as an attempt. A busy endpoint's connections are
   * idle for milliseconds and are not checked.
   */
  static final Duration CHECK_AFTER_IDLE = Duration.ofSeconds(1);

  private final SSLSocketFactory tls;
  private final GuardedDns dns;
  private final SocketFactory sockets;
  private final int connectTimeoutMillis;
  private final int maxIdlePerRoute;
  private final Clock clock;
  private final Map<Route, Idle> idle = new ConcurrentHashMap<>();

  Http1Client(
      SSLSocketFactory tls,
      GuardedDns dns,
      SocketFactory sockets,
      Duration connectTimeout,
      int maxIdlePerRoute,
      Clock clock) {
    this.tls = tls;
    this.dns = dns;
    this.sockets = sockets;
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.maxIdlePerRoute = maxIdlePerRoute;
    this.clock = clock;
  }

  GuardedDns dns() {
    return dns;
  }

  SocketFactory sockets() {
    return sockets;
  }

  /** Where a request goes: the host and port connected to. */
  record Route(String host, int port) {}

  /**
   * A delivery URL as it is used: the {@link Route}, and the request target and {@code Host} header
   * that are sent. Read from the same {@link URI} the URL guard judged, so the two never disagree.
   */
  record Target(Route route, String path, String hostHeader) {
    static Target of(URI uri) {
      String host = uri.getHost();
      int port = uri.getPort() == -1 ? 443 : uri.getPort();
      boolean v6 = host.startsWith("[");
      String bare = v6 ? host.substring(1, host.length() - 1) : host;
      URI ascii = URI.create(uri.toASCIIString());
      String path =
          ascii.getRawPath() == null || ascii.getRawPath().isEmpty() ? "/" : ascii.getRawPath();
      if (ascii.getRawQuery() != null) {
        path += "?" + ascii.getRawQuery();
      }
      return new Target(new Route(bare, port), path, port == 443 ? host : host + ":" + port);
    }
  }

  /** One request's hold on its socket, for its deadline to cut. */
  static final class Exchange implements CallDeadlines.Cancellable {
    private volatile @Nullable Socket socket;
    private volatile boolean cancelled;

    void attach(Socket s) {
      socket = s;
      if (cancelled) {
        closeQuietly(s);
      }
    }

    boolean cancelled() {
      return cancelled;
    }

    @Override
    public void cancel() {
      cancelled = true;
      Socket s = socket;
      if (s != null) {
        closeQuietly(s);
      }
    }
  }

  /**
   * POSTs on a pooled connection to {@code target}'s route, or a new one; {@code head} is the
   * request line and headers.
   */
  Http1Connection.Answer post(Target target, byte[] head, byte[] body, Exchange exchange)
      throws IOException {
    Http1Connection c = take(target.route());
    if (c == null) {
      c = connect(target.route(), exchange);
    } else {
      exchange.attach(c.socket());
    }
    boolean keep = false;
    try {
      Http1Connection.Answer a = c.exchange(head, body);
      keep = a.reusable() && !exchange.cancelled();
      return a;
    } finally {
      if (keep) {
        give(target.route(), c);
      } else {
        c.close();
      }
    }
  }

  private Http1Connection connect(Route route, Exchange exchange) throws IOException {
    List<InetAddress> addresses = dns.lookup(route.host());
    IOException last = null;
    for (InetAddress address : addresses) {
      if (exchange.cancelled()) {
        break;
      }
      Socket socket = sockets.createSocket();
      exchange.attach(socket);
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(address, route.port()), connectTimeoutMillis);
        return Http1Connection.open(tls, socket, route.host(), route.port());
      } catch (UnsafeAddressException | SSLException e) {
        closeQuietly(socket);
        throw e; // refused, or the host's TLS is wrong: another address of it changes neither
      } catch (IOException e) {
        closeQuietly(socket);
        if (last != null) {
          e.addSuppressed(last);
        }
        last = e;
      }
    }
    throw last != null ? last : new SocketException("Socket closed");
  }

  private @Nullable Http1Connection take(Route route) {
    Idle pool = idle.get(route);
    if (pool == null) {
      return null;
    }
    long now = clock.millis();
    while (true) {
      Http1Connection c = pool.take();
      if (c == null) {
        return null;
      }
      long idleFor = now - c.idleSince;
      if (idleFor < CHECK_AFTER_IDLE.toMillis() || (idleFor < MAX_IDLE.toMillis() && c.healthy())) {
        return c;
      }
      c.close();
    }
  }

  private void give(Route route, Http1Connection c) {
    c.idleSince = clock.millis();
    while (true) {
      Idle pool = idle.computeIfAbsent(route, r -> new Idle());
      Http1Connection surplus;
      synchronized (pool) {
        if (pool.retired) {
          continue; // emptied and forgotten just now: take the route's next pool
        }
        surplus = pool.give(c, maxIdlePerRoute);
      }
      if (surplus != null) {
        surplus.close();
      }
      return;
    }
  }

  /** Closes connections idle longer than {@link #MAX_IDLE}; forgets hosts with none left. */
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap allows it
  void evictIdle() {
    long oldest = clock.millis() - MAX_IDLE.toMillis();
    for (Map.Entry<Route, Idle> e : idle.entrySet()) {
      for (Http1Connection c : e.getValue().takeOlderThan(oldest)) {
        c.close();
      }
      Idle pool = e.getValue();
      synchronized (pool) {
        if (pool.connections.isEmpty()) {
          pool.retired = true;
          idle.remove(e.getKey(), pool);
        }
      }
    }
  }

  /** Idle connections of all routes. */
  int idleConnections() {
    return idle.values().stream().mapToInt(Idle::size).sum();
  }

  @Override
  public void close() {
    for (Idle pool : idle.values()) {
      for (Http1Connection c : pool.takeOlderThan(Long.MAX_VALUE)) {
        c.close();
      }
    }
    idle.clear();
  }

  /** The idle connections of one route, most recently used first. */
  private static final class Idle {
    private final ArrayDeque<Http1Connection> connections = new ArrayDeque<>();

    /** Removed from the map: connections given back go to the route's new pool. */
    boolean retired;

    synchronized @Nullable Http1Connection take() {
      return connections.pollFirst();
    }

    /** Adds {@code c}; returns the connection over the limit, if any, to close. */
    synchronized @Nullable Http1Connection give(Http1Connection c, int max) {
      connections.addFirst(c);
      return connections.size() > max ? connections.pollLast() : null;
    }

    synchronized List<Http1Connection> takeOlderThan(long time) {
      List<Http1Connection> old = new ArrayList<>();
      for (Http1Connection c = connections.peekLast();
          c != null && c.idleSince < time;
          c = connections.peekLast()) {
        old.add(connections.pollLast());
      }
      return old;
    }

    synchronized int size() {
      return connections.size();
    }
  }

  static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
