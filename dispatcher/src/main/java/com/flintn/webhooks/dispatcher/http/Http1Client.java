package com.flintn.webhooks.dispatcher.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
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

  /**
   * An HTTP/2 connection with no stream this long is closed if an older one to its host has room:
   * long enough that a host busy in bursts keeps its second connection between them.
   */
  static final Duration SURPLUS_IDLE = Duration.ofSeconds(30);

  /**
   * An HTTP/2 write blocked this long means the receiver stopped reading: when a deadline then cuts
   * a stream, the whole connection is closed, so what its streams wrote does not pile up behind it.
   */
  static final Duration STALLED_WRITE = Duration.ofSeconds(10);

  private final Duration stalledWrite;
  private final SSLSocketFactory tls;
  private final GuardedDns dns;
  private final SocketFactory sockets;
  private final int connectTimeoutMillis;
  private final int maxIdlePerRoute;
  private final Clock clock;
  private final Map<Route, Idle> idle = new ConcurrentHashMap<>();
  private final Map<Route, Http2Pool> http2 = new ConcurrentHashMap<>();
  private final boolean http2Enabled;

  /** Set by {@link #close}: nothing is pooled after it. */
  private volatile boolean closed;

  Http1Client(
      SSLSocketFactory tls,
      GuardedDns dns,
      SocketFactory sockets,
      Duration connectTimeout,
      int maxIdlePerRoute,
      boolean http2Enabled,
      Clock clock) {
    this(tls, dns, sockets, connectTimeout, maxIdlePerRoute, http2Enabled, clock, STALLED_WRITE);
  }

  Http1Client(
      SSLSocketFactory tls,
      GuardedDns dns,
      SocketFactory sockets,
      Duration connectTimeout,
      int maxIdlePerRoute,
      boolean http2Enabled,
      Clock clock,
      Duration stalledWrite) {
    this.stalledWrite = stalledWrite;
    this.http2Enabled = http2Enabled;
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

  /**
   * One request's hold on what its deadline cuts: its own socket while it connects or uses an
   * HTTP/1.1 connection, its stream on a shared HTTP/2 connection.
   */
  static final class Exchange implements CallDeadlines.Cancellable {
    private volatile @Nullable Object hold;
    private volatile boolean cancelled;

    void attach(Socket s) {
      hold = s;
      if (cancelled) {
        closeQuietly(s);
      }
    }

    /**
     * Holds {@code s} instead of a socket that is now shared; false if the deadline passed already
     * (then the socket may be closed).
     */
    boolean attach(Http2Connection.Stream s) {
      hold = s;
      return !cancelled;
    }

    /** Lets go of a socket about to be shared; false if the deadline already cut it. */
    boolean release() {
      hold = null;
      return !cancelled;
    }

    boolean cancelled() {
      return cancelled;
    }

    @Override
    public void cancel() {
      cancelled = true;
      Object h = hold;
      if (h instanceof Socket s) {
        closeQuietly(s);
      } else if (h instanceof Http2Connection.Stream s) {
        s.cancel();
      }
    }
  }

  /** At most this many tries of a request the receiver did not process, on other connections. */
  static final int UNPROCESSED_TRIES = 4;

  /** At most this many times a chosen HTTP/2 connection may turn out full for one request. */
  static final int MAX_FULL = 1000;

  /**
   * POSTs {@code body} with {@code headers} (already checked) to {@code target}: on a shared HTTP/2
   * connection to its route if there is one with room, else on a pooled HTTP/1.1 connection, else
   * on a new connection, which speaks HTTP/2 when the receiver chooses it. A request the receiver
   * did not process (an HTTP/2 stream refused, or past a GOAWAY) is sent again on another
   * connection, which cannot make a duplicate.
   */
  Http1Connection.Answer post(
      Target target, Map<String, String> headers, byte[] body, Exchange exchange)
      throws IOException {
    Route route = target.route();
    int full = 0;
    for (int tries = 1; ; tries++) {
      if (closed) {
        throw closedError();
      }
      try {
        Http2Pool shared = http2.get(route);
        if (shared == null && http2Enabled && !idle.containsKey(route)) {
          // a route not known to speak HTTP/1.1: the first request finds out, and a burst waits
          // for its answer rather than open a connection per request
          shared = http2.computeIfAbsent(route, r -> new Http2Pool());
        }
        if (shared != null) {
          Http2Connection[] chosen = new Http2Connection[1];
          int how = shared.pickOrReserve(exchange, chosen);
          if (how == Http2Pool.GONE) {
            // the route turned out to speak HTTP/1.1 while this request waited: choose again
            if (++full > MAX_FULL) {
              throw new IOException("no connection to " + route + " could be chosen");
            }
            tries--;
            continue;
          }
          Http2Connection h2 = chosen[0];
          if (h2 != null) {
            Http1Connection.Answer a = h2.exchange(target, headers, body, exchange);
            if (a != null) {
              return a;
            }
            // it filled up meanwhile: choose again, waiting for a connection being opened
            if (++full > MAX_FULL) {
              throw new IOException("no HTTP/2 connection to " + route + " had room");
            }
            tries--;
            continue;
          }
        } else {
          Http1Connection c = take(route);
          if (c != null) {
            exchange.attach(c.socket());
            return http1(route, c, head(target, headers, body.length), body, exchange);
          }
        }
        Object fresh;
        try {
          fresh = connect(route, exchange);
          if (fresh instanceof Http2Connection c2) {
            // in the pool before the requests waiting for it wake, or one of them would find no
            // room and open yet another connection; with a stream held for this request, or they
            // could fill it before it gets the pool's lock back
            c2.promiseStream();
            while (!closed && !http2.computeIfAbsent(route, r -> new Http2Pool()).add(c2)) {
              Thread.onSpinWait(); // that pool was emptied and forgotten just now
            }
            if (closed) {
              // closed meanwhile: its sweep may have missed the pool this went to
              c2.close();
              throw closedError();
            }
          } else if (shared != null) {
            // the receiver chose HTTP/1.1: later requests go straight to its pool
            idle.computeIfAbsent(route, r -> new Idle());
            shared.forgetIfEmpty(route, http2);
          }
        } finally {
          if (shared != null) {
            shared.connected();
          }
        }
        if (fresh instanceof Http1Connection c1) {
          return http1(route, c1, head(target, headers, body.length), body, exchange);
        }
        Http1Connection.Answer a =
            ((Http2Connection) fresh).exchange(target, headers, body, exchange, true);
        if (a != null) {
          return a;
        }
        // the receiver allowed fewer streams than were open: choose again, a bounded number of
        // times, since each may open a connection
        if (tries >= UNPROCESSED_TRIES) {
          throw new IOException("no HTTP/2 connection to " + route + " had room for a request");
        }
      } catch (Http2Connection.Unprocessed e) {
        if (tries >= UNPROCESSED_TRIES || exchange.cancelled()) {
          throw e;
        }
      }
    }
  }

  private static IOException closedError() {
    return new IOException("the delivery client is closed (the dispatcher is stopping)");
  }

  /** The request line and headers of a POST of {@code length} bytes to {@code to}. */
  static byte[] head(Target to, Map<String, String> headers, int length) {
    StringBuilder h = new StringBuilder(256 + 64 * headers.size());
    h.append("POST ").append(to.path()).append(" HTTP/1.1\r\n");
    Http1Connection.header(h, "Host", to.hostHeader());
    for (Map.Entry<String, String> e : headers.entrySet()) {
      Http1Connection.header(h, e.getKey(), e.getValue());
    }
    h.append("Content-Length: ").append(length).append("\r\n\r\n");
    return h.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private Http1Connection.Answer http1(
      Route route, Http1Connection c, byte[] head, byte[] body, Exchange exchange)
      throws IOException {
    boolean keep = false;
    try {
      Http1Connection.Answer a = c.exchange(head, body);
      keep = a.reusable() && !exchange.cancelled();
      return a;
    } finally {
      if (keep) {
        give(route, c);
      } else {
        c.close();
      }
    }
  }

  /** A new connection: HTTP/2 if offered and the receiver chooses it, else HTTP/1.1. */
  private Object connect(Route route, Exchange exchange) throws IOException {
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
        SSLSocket t =
            Http1Connection.handshake(
                tls,
                socket,
                route.host(),
                route.port(),
                http2Enabled ? Http1Connection.HTTP2_FIRST : Http1Connection.HTTP1_ONLY);
        if (!"h2".equals(t.getApplicationProtocol())) {
          return Http1Connection.over(socket, t);
        }
        if (!exchange.release()) {
          throw new InterruptedIOException("the deadline passed");
        }
        return Http2Connection.start(
            socket, t, route.host() + ":" + route.port(), clock, stalledWrite);
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
      if (closed) {
        c.close();
        return;
      }
      Idle pool = idle.computeIfAbsent(route, r -> new Idle());
      Http1Connection surplus;
      synchronized (pool) {
        if (pool.retired) {
          continue; // emptied and forgotten, or the client closed: look again
        }
        surplus = pool.give(c, maxIdlePerRoute);
      }
      if (surplus != null) {
        surplus.close();
      }
      if (closed) {
        // closed meanwhile: its sweep may have missed this pool
        pool.retire().forEach(Http1Connection::close);
      }
      return;
    }
  }

  /**
   * Closes connections idle longer than {@link #MAX_IDLE}, and HTTP/2 connections with no stream
   * for {@link #SURPLUS_IDLE} while another to their host has room; forgets hosts with none left.
   */
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop") // a ConcurrentHashMap allows it
  void evictIdle() {
    long now = clock.millis();
    long oldest = now - MAX_IDLE.toMillis();
    for (Map.Entry<Route, Http2Pool> e : http2.entrySet()) {
      Http2Pool pool = e.getValue();
      synchronized (pool) {
        if (pool.evict(now) == 0 && pool.connecting == 0) {
          pool.retire();
          http2.remove(e.getKey(), pool);
        }
      }
    }
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

  /** HTTP/2 connections of all routes. */
  int http2Connections() {
    return http2.values().stream().mapToInt(Http2Pool::size).sum();
  }

  /**
   * Closes every connection, and any that a request still out gives back or opens later: an
   * HTTP/1.1 request still out gets its answer, but its connection is not kept; one on a shared
   * HTTP/2 connection fails with it; a request after this fails at once. A dispatcher closes its
   * client only once its stop has cut off what was still out, so none of these is recorded.
   *
   * <p>The flag is set before the pools are swept, and a request looks at it after it has pooled a
   * connection: either the sweep finds the connection, or the request sees the flag.
   */
  @Override
  public void close() {
    closed = true;
    for (Http2Pool pool : http2.values()) {
      pool.retire();
    }
    http2.clear();
    for (Idle pool : idle.values()) {
      pool.retire().forEach(Http1Connection::close);
    }
    idle.clear();
  }

  /**
   * The HTTP/2 connections of one route, oldest first. Requests go to the first with room, so
   * connections opened together by a burst fall idle and are closed, and one or two carry the load.
   */
  private static final class Http2Pool {
    private final List<Http2Connection> connections = new ArrayList<>();

    /** Removed from the map: a new connection goes to the route's new pool. */
    boolean retired;

    synchronized boolean add(Http2Connection c) {
      if (retired) {
        return false;
      }
      connections.add(c);
      notifyAll();
      return true;
    }

    /** New connections being opened for requests that found no room. */
    private int connecting;

    static final int PICKED = 0;
    static final int RESERVED = 1;
    static final int GONE = 2;

    /**
     * {@link #PICKED}: {@code chosen[0]} has room; {@link #RESERVED}: the caller opens a connection
     * and then calls {@link #connected}; {@link #GONE}: this pool was forgotten (its route speaks
     * HTTP/1.1, or it emptied), choose again. While a connection is being opened, other requests
     * wait for it rather than open their own, so a burst does not open a connection per request.
     */
    synchronized int pickOrReserve(Exchange exchange, Http2Connection[] chosen)
        throws InterruptedIOException {
      while (true) {
        if (retired) {
          return GONE;
        }
        Http2Connection c = pick();
        if (c != null) {
          chosen[0] = c;
          return PICKED;
        }
        if (connecting == 0 || exchange.cancelled()) {
          connecting++;
          return RESERVED;
        }
        try {
          wait(50); // woken when the connection being opened is added, or failed
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while a connection was being opened");
        }
      }
    }

    synchronized void forgetIfEmpty(Route route, Map<Route, Http2Pool> pools) {
      if (connections.isEmpty()) {
        retire(); // its waiters choose again: the route's HTTP/1.1 pool
        pools.remove(route, this);
      }
    }

    synchronized void connected() {
      connecting--;
      notifyAll();
    }

    private @Nullable Http2Connection pick() {
      for (int i = 0; i < connections.size(); i++) {
        Http2Connection c = connections.get(i);
        if (c.finished()) {
          connections.remove(i--);
          c.close();
        } else if (c.hasRoom()) {
          return c;
        }
      }
      return null;
    }

    /** Closes what is finished or idle too long; returns how many are left. */
    synchronized int evict(long now) {
      boolean roomBefore = false;
      for (int i = 0; i < connections.size(); i++) {
        Http2Connection c = connections.get(i);
        boolean idle = c.active() == 0;
        long idleFor = now - c.idleSince;
        if (c.finished()
            || (idle && idleFor >= MAX_IDLE.toMillis())
            || (idle && roomBefore && idleFor >= SURPLUS_IDLE.toMillis())) {
          connections.remove(i--);
          c.close();
        } else {
          roomBefore |= c.hasRoom();
        }
      }
      return connections.size();
    }

    /**
     * Closes every connection and wakes its waiters, who choose again; none is added after this.
     */
    synchronized void retire() {
      retired = true;
      notifyAll();
      connections.forEach(Http2Connection::close);
      connections.clear();
    }

    synchronized int size() {
      return connections.size();
    }
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

    /** Takes every connection, to be closed; none is given back after this. */
    synchronized List<Http1Connection> retire() {
      retired = true;
      List<Http1Connection> all = new ArrayList<>(connections);
      connections.clear();
      return all;
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
