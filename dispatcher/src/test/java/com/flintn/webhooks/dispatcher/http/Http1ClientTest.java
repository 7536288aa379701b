package com.flintn.webhooks.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.testkit.Endpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The delivery client against a TLS server whose every byte the test writes: keep-alive and its
 * limits, response framings, interim responses, broken answers, and host-name verification.
 */
class Http1ClientTest {
  private static final HeldCertificate LOCALHOST =
      new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();

  /** Answers each connection's requests with {@code script}; counts connections. */
  private static final class ScriptedServer implements AutoCloseable {
    interface Script {
      /** Handles one connection. */
      void run(Peer peer) throws IOException;
    }

    /** One connection, as the server sees it. */
    final class Peer {
      private final InputStream in;
      private final OutputStream out;

      Peer(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
      }

      /** Reads one request (head and Content-Length body); null at the end of the connection. */
      @org.jspecify.annotations.Nullable
      String request() throws IOException {
        return ScriptedServer.this.request(in);
      }

      void answer(String response) throws IOException {
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }

      void close() throws IOException {
        out.close();
      }
    }

    private final ServerSocket server;
    final AtomicInteger connections = new AtomicInteger();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final Path pem;

    ScriptedServer(HeldCertificate cert, Script script) throws IOException {
      this(cert, Duration.ZERO, script);
    }

    /** {@code handshakeDelay}: how long each connection waits before its TLS handshake. */
    ScriptedServer(HeldCertificate cert, Duration handshakeDelay, Script script)
        throws IOException {
      HandshakeCertificates hc = new HandshakeCertificates.Builder().heldCertificate(cert).build();
      server =
          hc.sslContext()
              .getServerSocketFactory()
              .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      pem = Files.createTempFile("flintn-scripted", ".pem");
      Files.writeString(pem, cert.certificatePem());
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              try (s) {
                                Thread.sleep(handshakeDelay);
                                ((SSLSocket) s).startHandshake();
                                script.run(new Peer(s.getInputStream(), s.getOutputStream()));
                              } catch (IOException | InterruptedException e) {
                                // the client went away
                              }
                            });
                  } catch (IOException e) {
                    return;
                  }
                }
              });
    }

    String url(String path) {
      return "https://127.0.0.1:" + server.getLocalPort() + path;
    }

    private @org.jspecify.annotations.Nullable String request(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return null;
        }
        head.write(b);
        matched = (b == '\r' || b == '\n') && "\r\n\r\n".charAt(matched) == b ? matched + 1 : 0;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      int length = 0;
      for (String line : text.split("\r\n", -1)) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      in.readNBytes(length);
      requests.add(text);
      return text;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-12-06T10:00:00Z").toEpochMilli());

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private static WebhookSender sender(ScriptedServer s, Clock clock) {
    return new WebhookSender(
        new HttpConfig(Duration.ofSeconds(10), Optional.of(s.pem), 4, 16, true),
        new UrlGuard(List.of(Cidr.parse("127.0.0.1/32"))),
        clock);
  }

  /** Sends {@code n} requests to {@code url} at once; each gets a 200. */
  private static void allAnswered200(WebhookSender sender, String url, int n) throws Exception {
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<SendResult>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(threads.submit(() -> send(sender, url)));
      }
      for (var f : sent) {
        assertThat(response(f.get()).status()).isEqualTo(200);
      }
    }
  }

  private static SendResult send(WebhookSender sender, String url) throws Exception {
    Endpoint e = Endpoints.endpoint("ep_h1", "acc_h1", url, List.of("*"), EndpointStatus.ACTIVE);
    Event event =
        Json.mapper().readValue(Endpoints.event("evt_h1", "order.created", "acc_h1"), Event.class);
    return sender.send(e, Delivery.first(event, e.endpointId(), null), Json.bytes(event));
  }

  private static SendResult.Response response(SendResult r) {
    assertThat(r).isInstanceOf(SendResult.Response.class);
    return (SendResult.Response) r;
  }

  @Test
  void requestsShareOneKeptAliveConnectionAndCarryTheSignedPost() throws Exception {
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  while (p.request() != null) {
                    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      for (int i = 0; i < 3; i++) {
        assertThat(response(send(sender, s.url("/hook?a=1"))).excerpt()).isEqualTo("ok");
      }
      assertThat(s.connections.get()).isEqualTo(1);
      assertThat(sender.idleConnections()).isEqualTo(1);
      String request = s.requests.get(0);
      assertThat(request)
          .startsWith("POST /hook?a=1 HTTP/1.1\r\nHost: 127.0.0.1:")
          .contains("\r\nX-Signature-Primary: ", "\r\nContent-Type: application/json\r\n");
    }
  }

  @Test
  void aBusyHostKeepsAsManyIdleConnectionsAsItMayHaveRequestsInFlight() throws Exception {
    int concurrent = 80;
    java.util.concurrent.CountDownLatch together =
        new java.util.concurrent.CountDownLatch(concurrent);
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  while (p.request() != null) {
                    together.countDown();
                    try {
                      together.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                  }
                });
        WebhookSender sender =
            new WebhookSender(
                new HttpConfig(Duration.ofSeconds(30), Optional.of(s.pem), 4, 256, true),
                new UrlGuard(List.of(Cidr.parse("127.0.0.1/32"))),
                Clock.systemUTC())) {
      allAnswered200(sender, s.url("/"), concurrent);
      // all 80 were open at once (the server answered none before all had arrived)
      assertThat(s.connections.get()).isEqualTo(concurrent);
      assertThat(sender.idleConnections()).isEqualTo(concurrent);
    }
  }

  @Test
  void aBurstToANewHttp11HostConnectsInParallelOnceItsProtocolIsKnown() throws Exception {
    // every handshake takes 300 ms: one after another, 20 would take 6 s, past the 3 s deadline
    int concurrent = 20;
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                Duration.ofMillis(300),
                p -> {
                  while (p.request() != null) {
                    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                  }
                });
        WebhookSender sender =
            new WebhookSender(
                new HttpConfig(Duration.ofSeconds(3), Optional.of(s.pem), 64, 256, true),
                new UrlGuard(List.of(Cidr.parse("127.0.0.1/32"))),
                Clock.systemUTC())) {
      allAnswered200(sender, s.url("/"), concurrent);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "chunked | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3;x=y\\r\\nabc\\r\\n2\\r\\nde\\r\\n0\\r\\nTrailer: t\\r\\n\\r\\n | 200 | abcde | true",
        "interim responses first | HTTP/1.1 100 Continue\\r\\n\\r\\nHTTP/1.1 103 Early Hints\\r\\nLink: </a>\\r\\n\\r\\nHTTP/1.1 202 Accepted\\r\\nContent-Length: 1\\r\\n\\r\\nk | 202 | k | true",
        "no content | HTTP/1.1 204 No Content\\r\\n\\r\\n | 204 | '' | true",
        "connection close | HTTP/1.1 200 OK\\r\\nConnection: close\\r\\nContent-Length: 2\\r\\n\\r\\nok | 200 | ok | false",
        "HTTP/1.0 | HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok | 200 | ok | false",
        "body until close | HTTP/1.1 500 Oops\\r\\n\\r\\nbroken | 500 | broken | false",
        "bare LF and no reason | HTTP/1.1 429\\nRetry-After: 7\\nContent-Length: 0\\n\\n | 429 | '' | true",
      })
  void responseFramings(String name, String wire, int status, String excerpt, boolean kept)
      throws Exception {
    String response = wire.replace("\\r", "\r").replace("\\n", "\n");
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  if (p.request() != null) {
                    p.answer(response);
                  }
                  if (response.contains("\r\n\r\nbroken")) {
                    p.close();
                  } else {
                    p.request(); // hold the connection open
                  }
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      SendResult.Response r = response(send(sender, s.url("/")));
      assertThat(r.status()).isEqualTo(status);
      assertThat(r.excerpt()).isEqualTo(excerpt);
      assertThat(sender.idleConnections()).as("kept alive").isEqualTo(kept ? 1 : 0);
      if (status == 429) {
        assertThat(r.retryAfter()).contains("7");
      }
    }
  }

  @Test
  void aLongBodyYieldsItsStartAndTheConnectionIsNotKeptToReadTheRest() throws Exception {
    String body = "x".repeat(Http1Connection.EXCERPT_BYTES + Http1Connection.MAX_DRAIN_BYTES + 1);
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  p.request();
                  p.answer(
                      "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                  p.request();
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      SendResult.Response r = response(send(sender, s.url("/")));
      assertThat(r.excerpt()).hasSize(Http1Connection.EXCERPT_BYTES);
      assertThat(sender.idleConnections()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not HTTP | SSH-2.0-OpenSSH\\r\\n\\r\\n | not an HTTP/1.1 status line",
        "closed before the status | '' | closed before the response",
        "two lengths | HTTP/1.1 200 OK\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n | Content-Length",
      })
  void anAnswerThatIsNotHttpIsAFailure(String name, String wire, String detail) throws Exception {
    String response = wire.replace("\\r", "\r").replace("\\n", "\n");
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  p.request();
                  p.answer(response);
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      SendResult.Failure f = (SendResult.Failure) r;
      assertThat(f.kind()).isEqualTo(SendResult.ErrorKind.IO);
      assertThat(f.detail()).contains(detail);
      assertThat(sender.idleConnections()).isZero();
    }
  }

  @Test
  void endlessHeadersAreCutAtTheirLimit() throws Exception {
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  p.request();
                  p.answer("HTTP/1.1 200 OK\r\n");
                  String header = "X-Padding: " + "p".repeat(1000) + "\r\n";
                  for (int k = 0; k < 200; k++) {
                    p.answer(header);
                  }
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) r).detail()).contains("larger than 65536 bytes");
    }
  }

  @Test
  void aConnectionThePeerClosedWhileIdleIsNotUsedAgain() throws Exception {
    MovableClock clock = new MovableClock();
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  p.request();
                  p.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                  // then closes: an idle timeout of the receiver's
                });
        WebhookSender sender = sender(s, clock)) {
      assertThat(response(send(sender, s.url("/"))).status()).isEqualTo(200);
      assertThat(sender.idleConnections()).isEqualTo(1);
      clock.millis.addAndGet(Http1Client.CHECK_AFTER_IDLE.toMillis());
      // the kept connection is found closed before use; a new one carries the request
      assertThat(response(send(sender, s.url("/"))).status()).isEqualTo(200);
      assertThat(s.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void aConnectionWhoseAnswerComesAfterTheClientClosedIsClosedNotKeptAndLaterRequestsFail()
      throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  p.request();
                  try {
                    answer.await();
                  } catch (InterruptedException e) {
                    throw new IOException(e);
                  }
                  p.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                  try {
                    p.request(); // returns, or fails, once the client closes its end
                  } finally {
                    ended.countDown();
                  }
                });
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      WebhookSender sender = sender(s, Clock.systemUTC()); // closed below, as the test's subject
      var inFlight = threads.submit(() -> send(sender, s.url("/")));
      await().atMost(Duration.ofSeconds(10)).until(() -> !s.requests.isEmpty());
      sender.close(); // as a dispatcher's stop does, with this request still out
      answer.countDown();
      assertThat(response(inFlight.get()).status()).isEqualTo(200);
      assertThat(sender.idleConnections()).as("not pooled after the close").isZero();
      assertThat(ended.await(10, TimeUnit.SECONDS)).as("the connection closed").isTrue();
      assertThat(send(sender, s.url("/"))).isInstanceOf(SendResult.Failure.class);
      assertThat(s.connections.get()).isEqualTo(1);
    }
  }

  @Test
  void aConnectionStillOpenAfterItsCheckCarriesTheNextRequest() throws Exception {
    MovableClock clock = new MovableClock();
    try (ScriptedServer s =
            new ScriptedServer(
                LOCALHOST,
                p -> {
                  while (p.request() != null) {
                    p.answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                });
        WebhookSender sender = sender(s, clock)) {
      for (int i = 0; i < 3; i++) {
        assertThat(response(send(sender, s.url("/"))).excerpt()).isEqualTo("ok");
        clock.millis.addAndGet(Http1Client.CHECK_AFTER_IDLE.toMillis()); // checked before the next
      }
      assertThat(s.connections.get()).isEqualTo(1);
    }
  }

  @Test
  void aCertificateForAnotherHostIsATlsFailure() throws Exception {
    HeldCertificate other =
        new HeldCertificate.Builder().addSubjectAlternativeName("other.example").build();
    try (ScriptedServer s =
            new ScriptedServer(
                other,
                p -> {
                  p.request();
                  p.answer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                });
        WebhookSender sender = sender(s, Clock.systemUTC())) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) r).kind()).isEqualTo(SendResult.ErrorKind.TLS);
      assertThat(s.requests).isEmpty();
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://hooks.example.com/x | hooks.example.com | 443 | /x | hooks.example.com",
        "https://HOOKS.example.com:443 | HOOKS.example.com | 443 | / | HOOKS.example.com",
        "https://203.0.113.7:8443/a/b?c=d&e | 203.0.113.7 | 8443 | /a/b?c=d&e | 203.0.113.7:8443",
        "https://[2606:4700::1111]/ | 2606:4700::1111 | 443 | / | [2606:4700::1111]",
        "https://hooks.example.com/caf\u00e9 | hooks.example.com | 443 | /caf%C3%A9 | hooks.example.com",
      })
  void aUrlIsReadOnceForWhereItGoesAndWhatIsSent(
      String url, String host, int port, String path, String hostHeader) throws Exception {
    Http1Client.Target t = Http1Client.Target.of(new URI(url));
    assertThat(t.route()).isEqualTo(new Http1Client.Route(host, port));
    assertThat(t.path()).isEqualTo(path);
    assertThat(t.hostHeader()).isEqualTo(hostHeader);
  }

  @Test
  void aHeaderValueHttpCannotCarryIsRefusedBeforeAnythingIsSent() {
    Http1Client.Target t = Http1Client.Target.of(URI.create("https://hooks.example.com/"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Http1Client.head(t, Map.of("X-Event-Type", "order\r\nInjected: yes"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Event-Type");
  }
}
