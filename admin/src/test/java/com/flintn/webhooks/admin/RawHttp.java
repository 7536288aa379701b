package com.flintn.webhooks.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 client on a bare socket that sends exactly the bytes it is given (bad headers, CR/LF
 * in the request line, invalid UTF-8, any content type) and reads the answer until the server
 * closes the connection, so that anything after the first response (a second, smuggled one) is
 * seen. Every request it builds asks for {@code Connection: close}; the sending side is shut after
 * the request, so the server never waits for more.
 */
final class RawHttp {
  private RawHttp() {}

  /** One answer: the status line, the header lines as sent, the body, and anything after it. */
  record Reply(String statusLine, int status, List<String> headerLines, byte[] body, byte[] after) {
    String header(String name) {
      for (String line : headerLines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The request bytes: method, target and headers as given, then the body if any. */
  static byte[] request(
      String method,
      String target,
      int port,
      String key,
      String contentType,
      byte[] body,
      String... extraHeaderLines) {
    StringBuilder h = new StringBuilder();
    h.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    h.append("Host: 127.0.0.1:").append(port).append("\r\n");
    if (key != null) {
      h.append("Authorization: Bearer ").append(key).append("\r\n");
    }
    for (String line : extraHeaderLines) {
      h.append(line).append("\r\n");
    }
    if (contentType != null) {
      h.append("Content-Type: ").append(contentType).append("\r\n");
    }
    if (body != null) {
      h.append("Content-Length: ").append(body.length).append("\r\n");
    }
    h.append("Connection: close\r\n\r\n");
    byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null) {
      return head;
    }
    byte[] all = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /**
   * Sends {@code request} and reads until the server closes the connection.
   *
   * @throws SocketTimeoutException if no complete answer came within {@code timeout}
   * @throws IOException if the connection failed, or the answer is not an HTTP response
   */
  static Reply send(int port, byte[] request, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      OutputStream out = s.getOutputStream();
      try {
        out.write(request);
        out.flush();
        s.shutdownOutput();
      } catch (IOException e) {
        // The server may answer and close before reading a large request; read what it said.
      }
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16 * 1024];
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException(
              "no end of the answer within " + timeout.toSeconds() + " s");
        }
        s.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int n;
        try {
          n = in.read(buf);
        } catch (SocketException reset) {
          if (received.size() > 0) {
            break; // reset after the answer (the rest of a large request was not read)
          }
          throw reset;
        }
        if (n < 0) {
          break;
        }
        received.write(buf, 0, n);
      }
    }
    return parse(received.toByteArray());
  }

  static Reply parse(byte[] raw) throws IOException {
    int at = 0;
    while (true) {
      int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), at);
      if (end < 0) {
        throw new IOException(
            "not an HTTP response: "
                + new String(raw, at, Math.min(200, raw.length - at), StandardCharsets.ISO_8859_1));
      }
      String head = new String(raw, at, end - at, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n", -1);
      String statusLine = lines[0];
      if (!statusLine.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
        throw new IOException("not a status line: " + statusLine);
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      int bodyStart = end + 4;
      if (status >= 100 && status < 200) {
        at = bodyStart; // an interim answer (100 Continue); the real one follows
        continue;
      }
      List<String> headers = new ArrayList<>(Arrays.asList(lines).subList(1, lines.length));
      Reply shell = new Reply(statusLine, status, headers, new byte[0], new byte[0]);
      String length = shell.header("Content-Length");
      String coding = shell.header("Transfer-Encoding");
      byte[] body;
      int bodyEnd;
      if (coding != null && coding.toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int p = bodyStart;
        while (true) {
          int eol = indexOf(raw, new byte[] {'\r', '\n'}, p);
          if (eol < 0) {
            throw new IOException("a chunked body that does not end");
          }
          String sizeText = new String(raw, p, eol - p, StandardCharsets.ISO_8859_1);
          int size = Integer.parseInt(sizeText.split(";")[0].strip(), 16);
          p = eol + 2;
          if (size == 0) {
            int trailerEnd = indexOf(raw, new byte[] {'\r', '\n'}, p);
            p = trailerEnd < 0 ? raw.length : trailerEnd + 2;
            break;
          }
          b.write(raw, p, size);
          p += size + 2;
        }
        body = b.toByteArray();
        bodyEnd = p;
      } else if (length != null) {
        int n = Integer.parseInt(length);
        bodyEnd = Math.min(raw.length, bodyStart + n);
        body = Arrays.copyOfRange(raw, bodyStart, bodyEnd);
      } else {
        bodyEnd = raw.length;
        body = Arrays.copyOfRange(raw, bodyStart, bodyEnd);
      }
      return new Reply(
          statusLine, status, headers, body, Arrays.copyOfRange(raw, bodyEnd, raw.length));
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
