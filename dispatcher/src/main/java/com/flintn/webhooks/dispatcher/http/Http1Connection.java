package com.flintn.webhooks.dispatcher.http;

import com.flintn.webhooks.common.message.AttemptRecord;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * One verified TLS connection speaking HTTP/1.1 to one host and port, used by one request at a time
 * and kept alive between them (docs/design.md §12, "The delivery client"). It writes a request in
 * one go and reads the response's status line, headers and the start of its body: everything a
 * delivery needs and nothing more. Bounded everywhere a receiver could make it wait or grow: the
 * request's deadline closes {@link #socket()} from outside, a header section is at most 64 KiB, and
 * a body is read to its end only when that end is near; otherwise the connection is not reused.
 */
final class Http1Connection {
  /** The most of the response body kept: the attempt record's excerpt. */
  static final int EXCERPT_BYTES = AttemptRecord.MAX_EXCERPT_CHARS;

  /** Response status line and headers together may not be larger. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /** A body with at most this much left after the excerpt is read to its end to keep the socket. */
  static final int MAX_DRAIN_BYTES = 64 * 1024;

  /** The plain socket under TLS: what a deadline closes to cut a request in any state. */
  private final Socket socket;

  private final SSLSocket tls;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int limit;

  /** When it was last given back, on the sender's clock. */
  long idleSince;

  private Http1Connection(Socket socket, SSLSocket tls) throws IOException {
    this.socket = socket;
    this.tls = tls;
    this.out = tls.getOutputStream();
    this.in = tls.getInputStream();
  }

  /** Application protocols offered: HTTP/2 first when it may be used, HTTP/1.1 always. */
  static final String[] HTTP1_ONLY = {"http/1.1"};

  static final String[] HTTP2_FIRST = {"h2", "http/1.1"};

  /**
   * Puts TLS over the connected {@code socket} and completes the handshake, verifying the
   * certificate chain and that it names {@code host} (a DNS name, or an IP address without
   * brackets), offering {@code protocols} through ALPN. The protocol chosen is the socket's {@link
   * SSLSocket#getApplicationProtocol()}: {@code h2}, or HTTP/1.1 for anything else.
   */
  static SSLSocket handshake(
      SSLSocketFactory factory, Socket socket, String host, int port, String[] protocols)
      throws IOException {
    SSLSocket tls = (SSLSocket) factory.createSocket(socket, host, port, true);
    SSLParameters p = tls.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    p.setApplicationProtocols(protocols);
    tls.setSSLParameters(p);
    tls.startHandshake();
    return tls;
  }

  /** HTTP/1.1 over {@code tls}, whose handshake is done. */
  static Http1Connection over(Socket socket, SSLSocket tls) throws IOException {
    return new Http1Connection(socket, tls);
  }

  Socket socket() {
    return socket;
  }

  /** What came back. */
  record Answer(int status, @Nullable String retryAfter, String excerpt, boolean reusable) {}

  /**
   * Sends {@code head} (the request line and headers, ending with an empty line) and {@code body},
   * and reads the response. A failure before the status line is an {@link IOException}; once the
   * status is known, a broken or endless body only shortens the excerpt (the status decides the
   * outcome) and leaves the connection not {@link Answer#reusable}.
   */
  Answer exchange(byte[] head, byte[] body) throws IOException {
    if (head.length + body.length <= 16 * 1024) {
      byte[] one = Arrays.copyOf(head, head.length + body.length);
      System.arraycopy(body, 0, one, head.length, body.length);
      out.write(one); // one TLS record, one write
    } else {
      out.write(head);
      out.write(body);
    }
    out.flush();
    int[] headBytes = {0};
    while (true) {
      String statusLine = line(headBytes);
      int status = status(statusLine);
      boolean http10 = statusLine.startsWith("HTTP/1.0");
      long length = -1;
      boolean chunked = false;
      boolean close = http10;
      String retryAfter = null;
      for (String h = line(headBytes); !h.isEmpty(); h = line(headBytes)) {
        int colon = h.indexOf(':');
        if (colon <= 0) {
          throw new ProtocolException("a response header without a name: " + clip(h));
        }
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = contentLength(value, length);
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
        } else if (name.equalsIgnoreCase("Connection")) {
          String v = value.toLowerCase(Locale.ROOT);
          close = v.contains("close") || (http10 && !v.contains("keep-alive"));
        } else if (name.equalsIgnoreCase("Retry-After")) {
          retryAfter = value; // the last one, if repeated
        }
      }
      if (status >= 100 && status < 200 && status != 101) {
        continue; // an interim response (100 Continue, 103 Early Hints): the final one follows
      }
      if (status == 101 || status == 204 || status == 304) {
        return new Answer(status, retryAfter, "", !close && status != 101);
      }
      return body(status, retryAfter, chunked, length, close);
    }
  }

  private Answer body(
      int status, @Nullable String retryAfter, boolean chunked, long length, boolean close) {
    byte[] excerpt = new byte[EXCERPT_BYTES];
    int kept = 0;
    boolean ended;
    try {
      if (chunked) {
        long drained = 0;
        while (true) {
          long size = chunkSize();
          if (size == 0) {
            skipTrailers();
            ended = true;
            break;
          }
          long room = Math.min(size, EXCERPT_BYTES - kept);
          readFully(excerpt, kept, (int) room);
          kept += (int) room;
          drained += size - room;
          if (drained > MAX_DRAIN_BYTES) {
            ended = false;
            break;
          }
          skip(size - room);
          expectCrlf();
        }
      } else if (length >= 0) {
        kept = (int) Math.min(length, EXCERPT_BYTES);
        readFully(excerpt, 0, kept);
        long rest = length - kept;
        ended = rest <= MAX_DRAIN_BYTES;
        if (ended) {
          skip(rest);
        }
      } else {
        // no length: the body ends when the connection does
        while (kept < EXCERPT_BYTES) {
          int n = read(excerpt, kept, EXCERPT_BYTES - kept);
          if (n < 0) {
            break;
          }
          kept += n;
        }
        ended = false;
      }
    } catch (IOException e) {
      ended = false; // keep what arrived
    }
    return new Answer(
        status, retryAfter, new String(excerpt, 0, kept, StandardCharsets.UTF_8), ended && !close);
  }

  /**
   * Whether a connection that sat idle can still carry a request: the peer has not closed it and
   * has sent nothing unasked. Waits at most a millisecond.
   */
  boolean healthy() {
    if (tls.isClosed() || socket.isClosed() || socket.isInputShutdown() || pos < limit) {
      return false;
    }
    try {
      tls.setSoTimeout(1);
      try {
        in.read(buf, 0, buf.length); // -1: closed by the peer; data: nothing was asked, unusable
        return false;
      } finally {
        tls.setSoTimeout(0);
      }
    } catch (SocketTimeoutException e) {
      return true; // nothing to read: still open
    } catch (IOException e) {
      return false;
    }
  }

  /** Closes the plain socket: immediate, whatever a reader or writer is doing. */
  void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private static int status(String line) throws ProtocolException {
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or missing
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
      throw new ProtocolException("not an HTTP/1.1 status line: " + clip(line));
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = line.charAt(i);
      if (c < '0' || c > '9') {
        throw new ProtocolException("not an HTTP/1.1 status line: " + clip(line));
      }
      code = code * 10 + (c - '0');
    }
    if (line.length() > 12 && line.charAt(12) != ' ') {
      throw new ProtocolException("not an HTTP/1.1 status line: " + clip(line));
    }
    return code;
  }

  private static long contentLength(String value, long before) throws ProtocolException {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0 || (before >= 0 && before != n)) {
      throw new ProtocolException("an unusable Content-Length: " + clip(value));
    }
    return n;
  }

  private long chunkSize() throws IOException {
    String line = line(new int[] {0});
    int semi = line.indexOf(';');
    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
    if (hex.isEmpty() || hex.length() > 15) {
      throw new ProtocolException("a chunk size that is not a number: " + clip(hex));
    }
    try {
      return Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw new ProtocolException("a chunk size that is not a number: " + clip(hex));
    }
  }

  private void skipTrailers() throws IOException {
    int[] bytes = {0};
    while (!line(bytes).isEmpty()) {
      // trailers are not used
    }
  }

  private void expectCrlf() throws IOException {
    if (!line(new int[] {0}).isEmpty()) {
      throw new ProtocolException("a chunk longer than its size");
    }
  }

  /**
   * One line without its CRLF (a bare LF ends one too), read as Latin-1; {@code count[0]} adds the
   * bytes read, which may not pass {@link #MAX_HEAD_BYTES}.
   */
  private String line(int[] count) throws IOException {
    StringBuilder sb = null;
    while (true) {
      if (pos == limit && fill() < 0) {
        throw new EOFException("the connection closed before the response was complete");
      }
      int start = pos;
      int end = start;
      while (end < limit && buf[end] != '\n') {
        end++;
      }
      count[0] += end - start + 1;
      if (count[0] > MAX_HEAD_BYTES) {
        throw new ProtocolException("response headers larger than " + MAX_HEAD_BYTES + " bytes");
      }
      String part = new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
      if (end < limit) {
        pos = end + 1;
        String line = sb == null ? part : sb.append(part).toString();
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      }
      pos = limit;
      if (sb == null) {
        sb = new StringBuilder(part);
      } else {
        sb.append(part);
      }
    }
  }

  private int fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    pos = 0;
    limit = Math.max(0, n);
    return n;
  }

  private int read(byte[] to, int off, int len) throws IOException {
    if (pos == limit && fill() < 0) {
      return -1;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, to, off, n);
    pos += n;
    return n;
  }

  private void readFully(byte[] to, int off, int len) throws IOException {
    for (int done = 0; done < len; ) {
      int n = read(to, off + done, len - done);
      if (n < 0) {
        throw new EOFException("the connection closed inside the response body");
      }
      done += n;
    }
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      if (pos == limit && fill() < 0) {
        throw new EOFException("the connection closed inside the response body");
      }
      int k = (int) Math.min(n, limit - pos);
      pos += k;
      n -= k;
    }
  }

  private static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /** {@code name: value} and CRLF, refusing what a header cannot carry. */
  static void header(StringBuilder head, String name, String value) {
    check(name, value);
    head.append(name).append(": ").append(value).append("\r\n");
  }

  /** Refuses a header value HTTP cannot carry (CR, LF, other controls, non-ASCII). */
  static void check(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        throw new IllegalArgumentException(
            "the "
                + name
                + " header would carry a character HTTP headers cannot ("
                + (int) c
                + ")");
      }
    }
  }
}
