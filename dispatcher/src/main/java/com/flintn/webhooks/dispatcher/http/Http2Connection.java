package com.flintn.webhooks.dispatcher.http;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;
import org.jspecify.annotations.Nullable;

/**
 * One verified TLS connection speaking HTTP/2 (RFC 9113) to one host and port, carrying many
 * deliveries at once (docs/design.md §12.2). Callers write their frames into one buffer and a
 * writer thread sends whatever has gathered in one go, so under load one TLS record carries many
 * requests; a reader thread reads the frames and hands each stream its answer. Bounded like the
 * HTTP/1.1 connection: a header block is at most 64 KiB, a body is read for its excerpt and at most
 * 64 KiB more, after which the stream is reset. A deadline cancels one stream, never the
 * connection; a stream the receiver did not process (past a GOAWAY's last stream, or refused) fails
 * with {@link Unprocessed} so the client can send it again elsewhere without a duplicate.
 */
final class Http2Connection {
  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int PRIORITY = 2;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PUSH_PROMISE = 5;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;

  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  static final int END_HEADERS = 0x4;
  static final int PADDED = 0x8;
  static final int PRIORITY_FLAG = 0x20;

  static final int NO_ERROR = 0;
  static final int PROTOCOL_ERROR = 1;
  static final int FLOW_CONTROL_ERROR = 3;
  static final int FRAME_SIZE_ERROR = 6;
  static final int REFUSED_STREAM = 7;
  static final int CANCEL = 8;

  /** The largest frame either side sends (the protocol's default, never raised here). */
  static final int MAX_FRAME = 16_384;

  /** Each stream's receive window: far more than a body is ever read for. */
  static final int STREAM_WINDOW = 1 << 20;

  /** The connection's receive window, topped up as data is read. */
  static final int CONNECTION_WINDOW = 16 << 20;

  /** Header table size this side allows the receiver's encoder: the protocol's default. */
  static final int HEADER_TABLE = 4096;

  /** Streams assumed allowed until the receiver's SETTINGS say otherwise. */
  static final int ASSUMED_MAX_STREAMS = 100;

  /** The plain socket under TLS, closed to end the connection. */
  private final Socket socket;

  private final InputStream in;
  private final OutputStream out;
  private final String name;
  private final Clock clock;
  private final long stalledWriteMillis;

  /** When the write in progress began; 0 when none is. */
  private volatile long writingSince;

  private final ReentrantLock lock = new ReentrantLock();

  /** Signalled when frames are waiting to be written. */
  private final Condition writable = lock.newCondition();

  /** Signalled when a send window grows or a stream ends. */
  private final Condition window = lock.newCondition();

  private final Map<Integer, Stream> streams = new HashMap<>();
  private final Hpack.Decoder decoder = new Hpack.Decoder(HEADER_TABLE);

  // all below: under lock
  private Hpack.ByteSink pending = new Hpack.ByteSink(16 * 1024);
  private Hpack.ByteSink spare = new Hpack.ByteSink(16 * 1024);
  private boolean writerIdle;
  private int nextStreamId = 1;

  /** Readable without the lock, to choose a connection. */
  private volatile int maxStreams = ASSUMED_MAX_STREAMS;

  private int peerInitialWindow = 65_535;
  private long sendWindow = 65_535;
  private volatile boolean goingAway;
  private volatile @Nullable IOException failure;

  /**
   * Streams held for the requests that opened this connection ({@link #promiseStream}), not yet
   * started. Under lock.
   */
  private int promised;

  /** Open and promised streams, readable without the lock to choose a connection. */
  private volatile int active;

  /** When the last stream ended, on the caller's clock; read by the pool's eviction. */
  volatile long idleSince;

  private Http2Connection(
      Socket socket, SSLSocket tls, String name, Clock clock, long stalledWriteMillis)
      throws IOException {
    this.clock = clock;
    this.stalledWriteMillis = stalledWriteMillis;
    this.socket = socket;
    this.in = new BufferedInputStream(tls.getInputStream(), 32 * 1024);
    this.out = tls.getOutputStream();
    this.name = name;
  }

  /**
   * Starts HTTP/2 on {@code tls}, whose handshake chose {@code h2}: sends the preface and this
   * side's settings, and starts the reader and writer threads.
   */
  static Http2Connection start(
      Socket socket, SSLSocket tls, String name, Clock clock, Duration stalledWrite)
      throws IOException {
    Http2Connection c = new Http2Connection(socket, tls, name, clock, stalledWrite.toMillis());
    c.idleSince = clock.millis();
    Hpack.ByteSink s = new Hpack.ByteSink(128);
    s.put(PREFACE, 0, PREFACE.length);
    byte[] settings = new byte[18];
    setting(settings, 0, 2, 0); // ENABLE_PUSH: off
    setting(settings, 6, 4, STREAM_WINDOW); // INITIAL_WINDOW_SIZE
    setting(settings, 12, 6, Http1Connection.MAX_HEAD_BYTES); // MAX_HEADER_LIST_SIZE
    frame(s, SETTINGS, 0, 0, settings, 0, settings.length);
    byte[] update = int32(CONNECTION_WINDOW - 65_535);
    frame(s, WINDOW_UPDATE, 0, 0, update, 0, 4);
    c.out.write(s.bytes, 0, s.size);
    c.out.flush();
    Thread.ofVirtual().name("http2-writer " + name).start(c::writeLoop);
    Thread.ofVirtual().name("http2-reader " + name).start(c::readLoop);
    return c;
  }

  /** A request the receiver did not process: safe to send again on another connection. */
  static final class Unprocessed extends IOException {
    private static final long serialVersionUID = 1L;

    Unprocessed(String message) {
      super(message);
    }
  }

  /**
   * Holds one stream for the caller, who opened this connection and then calls {@link
   * #exchange(Http1Client.Target, Map, byte[], Http1Client.Exchange, boolean)} with {@code
   * promised}: the requests that waited for the connection fill it without taking that stream.
   */
  void promiseStream() {
    lock.lock();
    try {
      promised++;
      countActive();
    } finally {
      lock.unlock();
    }
  }

  /** Under lock: publishes the count of open and promised streams. */
  private void countActive() {
    active = streams.size() + promised;
  }

  /** Whether a new stream may start here now (racy: {@link #exchange} decides). */
  boolean hasRoom() {
    return usable() && active < maxStreams;
  }

  /** Whether new streams may start here: not failed, not going away. */
  private boolean usable() {
    return failure == null && !goingAway;
  }

  /** Whether the connection is done: failed, or going away with no stream left. */
  boolean finished() {
    return !usable() && active == 0;
  }

  int active() {
    return active;
  }

  /**
   * Sends one POST and waits for its answer. Returns null, having sent nothing, when the connection
   * has no room for another stream; throws {@link Unprocessed} when the receiver will not process
   * it.
   */
  Http1Connection.@Nullable Answer exchange(
      Http1Client.Target target,
      Map<String, String> headers,
      byte[] body,
      Http1Client.Exchange exchange)
      throws IOException {
    return exchange(target, headers, body, exchange, false);
  }

  /**
   * Like {@link #exchange(Http1Client.Target, Map, byte[], Http1Client.Exchange)}; with {@code
   * promised}, on the stream {@link #promiseStream} held for the caller (still null if the receiver
   * has since allowed fewer streams than are open).
   */
  Http1Connection.@Nullable Answer exchange(
      Http1Client.Target target,
      Map<String, String> headers,
      byte[] body,
      Http1Client.Exchange exchange,
      boolean promised)
      throws IOException {
    Hpack.ByteSink block = headerBlock(target, headers, body.length);
    Stream s;
    lock.lock();
    try {
      if (promised) {
        this.promised--;
        countActive();
      }
      if (failure != null || goingAway) {
        throw new Unprocessed("the connection is closing");
      }
      if (streams.size() + this.promised >= maxStreams) {
        return null;
      }
      s = new Stream(nextStreamId, Thread.currentThread(), peerInitialWindow);
      nextStreamId += 2;
      if (nextStreamId < 0) {
        goingAway = true; // stream ids used up: new requests go to a new connection
      }
      streams.put(s.id, s);
      countActive();
      if (!exchange.attach(s)) {
        finish(s, null);
        throw new InterruptedIOException("the deadline passed");
      }
      headers(s.id, block, body.length == 0);
      int sent = 0;
      while (sent < body.length && !s.done) {
        int n =
            (int)
                Math.min(
                    Math.min(body.length - sent, MAX_FRAME), Math.min(s.sendWindow, sendWindow));
        if (n <= 0) {
          wakeWriter();
          window.awaitUninterruptibly();
          continue;
        }
        boolean last = sent + n == body.length;
        frame(pending, DATA, last ? END_STREAM : 0, s.id, body, sent, n);
        s.sendWindow -= n;
        sendWindow -= n;
        sent += n;
      }
      wakeWriter();
    } finally {
      lock.unlock();
    }
    while (!s.done) {
      LockSupport.park(s);
      if (Thread.currentThread().isInterrupted()) {
        cancel(s); // a dispatcher stopping: ends it now, with what came
      }
    }
    IOException e = s.error;
    if (e != null) {
      throw e;
    }
    return new Http1Connection.Answer(s.status, s.retryAfter, s.excerpt(), true);
  }

  /** The request's header block: pseudo-headers first, names in lower case, no table use. */
  static Hpack.ByteSink headerBlock(
      Http1Client.Target target, Map<String, String> headers, int length) {
    Hpack.ByteSink b = new Hpack.ByteSink(512);
    b.put(0x83); // :method POST (static 3)
    b.put(0x87); // :scheme https (static 7)
    Hpack.writeLiteral(b, 4, target.path()); // :path
    Hpack.writeLiteral(b, 1, target.hostHeader()); // :authority
    for (Map.Entry<String, String> e : headers.entrySet()) {
      Hpack.writeLiteral(b, lowerName(e.getKey()), e.getValue());
    }
    Hpack.writeLiteral(b, 28, String.valueOf(length)); // content-length
    return b;
  }

  private static final Map<String, String> LOWER = new java.util.concurrent.ConcurrentHashMap<>();

  private static String lowerName(String name) {
    String l = LOWER.get(name);
    if (l == null) {
      l = name.toLowerCase(Locale.ROOT);
      if (LOWER.size() < 256) {
        LOWER.put(name, l);
      }
    }
    return l;
  }

  /** HEADERS, and CONTINUATION frames if the block is larger than a frame. Under lock. */
  private void headers(int id, Hpack.ByteSink block, boolean endStream) {
    int off = 0;
    int type = HEADERS;
    do {
      int n = Math.min(MAX_FRAME, block.size - off);
      boolean last = off + n == block.size;
      int flags = (last ? END_HEADERS : 0) | (type == HEADERS && endStream ? END_STREAM : 0);
      frame(pending, type, flags, id, block.bytes, off, n);
      off += n;
      type = CONTINUATION;
    } while (off < block.size);
  }

  /** Under lock. */
  private void wakeWriter() {
    if (writerIdle) {
      writable.signal();
    }
  }

  /** Under lock: ends {@code s} with its answer, or with {@code error}, and wakes its caller. */
  private void finish(Stream s, @Nullable IOException error) {
    if (s.done) {
      return;
    }
    s.error = error;
    s.done = true;
    streams.remove(s.id);
    countActive();
    if (streams.isEmpty()) {
      idleSince = clock.millis();
      if (goingAway) {
        closeSocket();
      }
    }
    window.signalAll();
    LockSupport.unpark(s.caller);
  }

  /**
   * Cancels {@code s} for its deadline; an answer whose status is known ends with what came. If the
   * receiver has not read a byte for the stalled-write limit, the connection ends too.
   */
  void cancel(Stream s) {
    long since = writingSince;
    long now = clock.millis();
    if (since != 0 && now - since >= stalledWriteMillis) {
      fail(
          new IOException(
              "the receiver stopped reading (a write blocked for " + (now - since) + " ms)"));
      return;
    }
    lock.lock();
    try {
      if (s.done) {
        return;
      }
      if (failure == null) {
        frame(pending, RST_STREAM, 0, s.id, int32(CANCEL), 0, 4);
        wakeWriter();
      }
      finish(s, s.status > 0 ? null : new InterruptedIOException("the deadline passed"));
    } finally {
      lock.unlock();
    }
  }

  /** Ends the connection and every stream on it with {@code e}. */
  void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
        for (Stream s : new ArrayList<>(streams.values())) {
          finish(s, e);
        }
        writable.signalAll();
        window.signalAll();
      }
    } finally {
      lock.unlock();
    }
    closeSocket();
  }

  void close() {
    fail(new IOException("the connection was closed by the dispatcher"));
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void writeLoop() {
    try {
      while (true) {
        Hpack.ByteSink batch;
        lock.lock();
        try {
          while (pending.size == 0 && failure == null) {
            writerIdle = true;
            writable.awaitUninterruptibly();
          }
          writerIdle = false;
          if (failure != null) {
            return;
          }
          batch = pending;
          pending = spare;
          spare = batch;
        } finally {
          lock.unlock();
        }
        writingSince = Math.max(1, clock.millis());
        out.write(batch.bytes, 0, batch.size);
        out.flush();
        writingSince = 0;
        batch.size = 0;
      }
    } catch (IOException | RuntimeException e) {
      fail(e instanceof IOException io ? io : new IOException(e));
    }
  }

  private void readLoop() {
    byte[] head = new byte[9];
    byte[] payload = new byte[MAX_FRAME];
    long unacknowledged = 0;
    try {
      while (true) {
        readFully(head, 9);
        int length = length(head);
        int type = head[3] & 0xff;
        int flags = head[4] & 0xff;
        int id = int32(head, 5) & 0x7fffffff;
        if (length > MAX_FRAME) {
          throw goAway(FRAME_SIZE_ERROR, "a frame of " + length + " bytes");
        }
        readFully(payload, length);
        switch (type) {
          case DATA -> {
            unacknowledged += length;
            if (unacknowledged >= CONNECTION_WINDOW / 2) {
              send(WINDOW_UPDATE, 0, 0, int32((int) unacknowledged));
              unacknowledged = 0;
            }
            data(id, flags, payload, length);
          }
          case HEADERS -> headersFrame(id, flags, payload, length, head);
          case RST_STREAM -> reset(id, payload, length);
          case SETTINGS -> settings(id, flags, payload, length);
          case PING -> {
            if (length != 8) {
              throw goAway(FRAME_SIZE_ERROR, "a PING of " + length + " bytes");
            }
            if ((flags & ACK) == 0) {
              send(PING, ACK, 0, java.util.Arrays.copyOf(payload, 8));
            }
          }
          case GOAWAY -> goAwayFrame(payload, length);
          case WINDOW_UPDATE -> windowUpdate(id, payload, length);
          case PUSH_PROMISE -> throw goAway(PROTOCOL_ERROR, "a PUSH_PROMISE, push being off");
          case CONTINUATION -> throw goAway(PROTOCOL_ERROR, "a CONTINUATION out of place");
          default -> {
            // PRIORITY and unknown frame types are ignored
          }
        }
      }
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("HTTP/2: " + e, e));
    }
  }

  /** The payload length in a frame header. */
  static int length(byte[] head) {
    return ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
  }

  private void readFully(byte[] b, int n) throws IOException {
    for (int done = 0; done < n; ) {
      int r = in.read(b, done, n - done);
      if (r < 0) {
        throw new EOFException("the receiver closed the connection");
      }
      done += r;
    }
  }

  /** A connection error: tells the receiver why, and returns what ends the connection. */
  private ProtocolException goAway(int code, String why) {
    byte[] p = new byte[8];
    lock.lock();
    try {
      put32(p, 4, code);
      frame(pending, GOAWAY, 0, 0, p, 0, 8);
      wakeWriter();
    } finally {
      lock.unlock();
    }
    return new ProtocolException("HTTP/2 protocol error from the receiver: " + why);
  }

  private void send(int type, int flags, int id, byte[] payload) {
    lock.lock();
    try {
      frame(pending, type, flags, id, payload, 0, payload.length);
      wakeWriter();
    } finally {
      lock.unlock();
    }
  }

  private void data(int id, int flags, byte[] p, int length) throws IOException {
    int off = 0;
    int len = length;
    if ((flags & PADDED) != 0) {
      int pad = length > 0 ? p[0] & 0xff : 256;
      if (pad >= length) {
        throw goAway(PROTOCOL_ERROR, "DATA padding longer than the frame");
      }
      off = 1;
      len = length - 1 - pad;
    }
    lock.lock();
    try {
      Stream s = streams.get(id);
      if (s == null) {
        return; // a stream already ended here (cancelled, or its body cut): ignored
      }
      if (s.status <= 0) {
        frame(pending, RST_STREAM, 0, id, int32(PROTOCOL_ERROR), 0, 4);
        wakeWriter();
        finish(s, new ProtocolException("HTTP/2: DATA before the response headers"));
        return;
      }
      s.body(p, off, len);
      if ((flags & END_STREAM) != 0) {
        finish(s, null);
      } else if (s.bodyBytes > Http1Connection.EXCERPT_BYTES + Http1Connection.MAX_DRAIN_BYTES) {
        frame(pending, RST_STREAM, 0, id, int32(CANCEL), 0, 4); // enough of a long body
        wakeWriter();
        finish(s, null);
      }
    } finally {
      lock.unlock();
    }
  }

  private void headersFrame(int id, int flags, byte[] p, int length, byte[] head)
      throws IOException {
    int off = 0;
    int end = length;
    if ((flags & PADDED) != 0) {
      int pad = length > 0 ? p[0] & 0xff : 256;
      off = 1;
      end = length - pad;
    }
    if ((flags & PRIORITY_FLAG) != 0) {
      off += 5;
    }
    if (off > end) {
      throw goAway(PROTOCOL_ERROR, "HEADERS padding longer than the frame");
    }
    Hpack.ByteSink block = new Hpack.ByteSink(Math.max(16, end - off));
    block.put(p, off, end - off);
    boolean endStream = (flags & END_STREAM) != 0;
    while ((flags & END_HEADERS) == 0) {
      readFully(head, 9);
      int length2 = length(head);
      int type2 = head[3] & 0xff;
      flags = head[4] & 0xff;
      if (type2 != CONTINUATION || (int32(head, 5) & 0x7fffffff) != id) {
        throw goAway(PROTOCOL_ERROR, "a header block not continued by CONTINUATION");
      }
      if (length2 > MAX_FRAME) {
        throw goAway(FRAME_SIZE_ERROR, "a frame of " + length2 + " bytes");
      }
      readFully(p, length2);
      block.put(p, 0, length2);
      if (block.size > Http1Connection.MAX_HEAD_BYTES) {
        throw goAway(PROTOCOL_ERROR, "a header block over " + Http1Connection.MAX_HEAD_BYTES);
      }
    }
    int[] status = {-1};
    String[] retryAfter = {null};
    decoder.decode(
        block.bytes,
        0,
        block.size,
        (n, v) -> {
          if (n.equals(":status")) {
            status[0] = statusOf(v);
          } else if (n.equals("retry-after")) {
            retryAfter[0] = v;
          }
        });
    lock.lock();
    try {
      Stream s = streams.get(id);
      if (s == null) {
        return; // ended here already; the block was decoded for the table's sake
      }
      if (s.status > 0) {
        if (endStream) {
          finish(s, null); // trailers
        }
        return;
      }
      if (status[0] < 0) {
        frame(pending, RST_STREAM, 0, id, int32(PROTOCOL_ERROR), 0, 4);
        wakeWriter();
        finish(s, new ProtocolException("HTTP/2: a response without a usable :status"));
        return;
      }
      if (status[0] < 200) {
        return; // an interim response (100 Continue, 103 Early Hints): the final one follows
      }
      s.status = status[0];
      s.retryAfter = retryAfter[0];
      if (endStream) {
        finish(s, null);
      }
    } finally {
      lock.unlock();
    }
  }

  private static int statusOf(String v) {
    if (v.length() != 3) {
      return -1;
    }
    int code = 0;
    for (int i = 0; i < 3; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return code >= 100 ? code : -1;
  }

  private void reset(int id, byte[] p, int length) throws IOException {
    if (length != 4) {
      throw goAway(FRAME_SIZE_ERROR, "an RST_STREAM of " + length + " bytes");
    }
    int code = int32(p, 0);
    lock.lock();
    try {
      Stream s = streams.get(id);
      if (s == null) {
        return;
      }
      if (code == REFUSED_STREAM) {
        finish(s, new Unprocessed("the receiver refused the stream (REFUSED_STREAM)"));
      } else if (code == NO_ERROR && s.status > 0) {
        finish(s, null); // answered without reading the whole request: the answer stands
      } else {
        finish(s, new IOException("the receiver reset the stream (" + errorName(code) + ")"));
      }
    } finally {
      lock.unlock();
    }
  }

  private void settings(int id, int flags, byte[] p, int length) throws IOException {
    if (id != 0 || length % 6 != 0) {
      throw goAway(PROTOCOL_ERROR, "a malformed SETTINGS frame");
    }
    if ((flags & ACK) != 0) {
      return;
    }
    lock.lock();
    try {
      for (int off = 0; off < length; off += 6) {
        int key = ((p[off] & 0xff) << 8) | (p[off + 1] & 0xff);
        int value = int32(p, off + 2);
        switch (key) {
          case 3 -> { // MAX_CONCURRENT_STREAMS
            maxStreams = value < 0 ? Integer.MAX_VALUE : value;
          }
          case 4 -> { // INITIAL_WINDOW_SIZE
            if (value < 0) {
              throw goAway(FLOW_CONTROL_ERROR, "an initial window over 2^31-1");
            }
            int delta = value - peerInitialWindow;
            peerInitialWindow = value;
            for (Stream s : streams.values()) {
              s.sendWindow += delta;
            }
            window.signalAll();
          }
          default -> {
            // table size (no table is used when sending), push, frame and header list sizes
            // (frames sent are never larger than the default)
          }
        }
      }
      frame(pending, SETTINGS, ACK, 0, p, 0, 0);
      wakeWriter();
    } finally {
      lock.unlock();
    }
  }

  private void goAwayFrame(byte[] p, int length) throws IOException {
    if (length < 8) {
      throw goAway(FRAME_SIZE_ERROR, "a GOAWAY of " + length + " bytes");
    }
    int last = int32(p, 0) & 0x7fffffff;
    int code = int32(p, 4);
    lock.lock();
    try {
      goingAway = true;
      for (Stream s : new ArrayList<>(streams.values())) {
        if (s.id > last) {
          finish(s, new Unprocessed("the receiver is closing the connection (GOAWAY)"));
        } else if (code != NO_ERROR) {
          finish(s, new IOException("the receiver ended the connection (" + errorName(code) + ")"));
        }
      }
      if (streams.isEmpty()) {
        closeSocket();
      }
    } finally {
      lock.unlock();
    }
  }

  private void windowUpdate(int id, byte[] p, int length) throws IOException {
    if (length != 4) {
      throw goAway(FRAME_SIZE_ERROR, "a WINDOW_UPDATE of " + length + " bytes");
    }
    int increment = int32(p, 0) & 0x7fffffff;
    lock.lock();
    try {
      if (id == 0) {
        if (increment == 0 || sendWindow + increment > Integer.MAX_VALUE) {
          throw goAway(FLOW_CONTROL_ERROR, "a connection window update of " + increment);
        }
        sendWindow += increment;
      } else {
        Stream s = streams.get(id);
        if (s != null) {
          if (increment == 0 || (long) s.sendWindow + increment > Integer.MAX_VALUE) {
            frame(pending, RST_STREAM, 0, id, int32(FLOW_CONTROL_ERROR), 0, 4);
            wakeWriter();
            finish(s, new ProtocolException("HTTP/2: a bad stream window update"));
            return;
          }
          s.sendWindow += increment;
        }
      }
      window.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The protocol's error codes by number (RFC 9113 7). */
  private static final String[] ERRORS = {
    "NO_ERROR",
    "PROTOCOL_ERROR",
    "INTERNAL_ERROR",
    "FLOW_CONTROL_ERROR",
    "SETTINGS_TIMEOUT",
    "STREAM_CLOSED",
    "FRAME_SIZE_ERROR",
    "REFUSED_STREAM",
    "CANCEL",
    "COMPRESSION_ERROR",
    "CONNECT_ERROR",
    "ENHANCE_YOUR_CALM",
    "INADEQUATE_SECURITY",
    "HTTP_1_1_REQUIRED"
  };

  static String errorName(int code) {
    return code >= 0 && code < ERRORS.length ? ERRORS[code] : "error " + code;
  }

  static void frame(Hpack.ByteSink s, int type, int flags, int id, byte[] p, int off, int len) {
    s.room(9 + len);
    byte[] b = s.bytes;
    int at = s.size;
    b[at] = (byte) (len >>> 16);
    b[at + 1] = (byte) (len >>> 8);
    b[at + 2] = (byte) len;
    b[at + 3] = (byte) type;
    b[at + 4] = (byte) flags;
    put32(b, at + 5, id);
    System.arraycopy(p, off, b, at + 9, len);
    s.size = at + 9 + len;
  }

  private static void setting(byte[] b, int at, int key, int value) {
    b[at] = (byte) (key >>> 8);
    b[at + 1] = (byte) key;
    put32(b, at + 2, value);
  }

  static byte[] int32(int v) {
    byte[] b = new byte[4];
    put32(b, 0, v);
    return b;
  }

  static void put32(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  static int int32(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  @Override
  public String toString() {
    return "HTTP/2 connection to " + name;
  }

  /** One request and its answer as it arrives. Fields under the connection's lock. */
  final class Stream {
    final int id;
    final Thread caller;
    int sendWindow;
    int status = -1;
    @Nullable String retryAfter;
    byte @Nullable [] excerpt;
    int kept;
    long bodyBytes;
    volatile boolean done;
    @Nullable IOException error;

    Stream(int id, Thread caller, int sendWindow) {
      this.id = id;
      this.caller = caller;
      this.sendWindow = sendWindow;
    }

    void body(byte[] p, int off, int len) {
      bodyBytes += len;
      int room = Math.min(len, Http1Connection.EXCERPT_BYTES - kept);
      if (room > 0) {
        if (excerpt == null) {
          excerpt = new byte[Http1Connection.EXCERPT_BYTES];
        }
        System.arraycopy(p, off, excerpt, kept, room);
        kept += room;
      }
    }

    String excerpt() {
      return excerpt == null ? "" : new String(excerpt, 0, kept, StandardCharsets.UTF_8);
    }

    void cancel() {
      Http2Connection.this.cancel(this);
    }
  }
}
