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
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The delivery client's HTTP/2 against a server whose every frame the test writes: streams sharing
 * a connection, requests the receiver did not process sent again without duplicates, a deadline
 * cutting one stream and not its neighbours, flow control of a large body, a broken peer.
 */
class Http2ClientTest {
  private static final HeldCertificate LOCALHOST =
      new HeldCertificate.Builder().addSubjectAlternativeName("127.0.0.1").build();

  /** One request as the server read it. */
  record Request(int stream, Map<String, String> headers, byte[] body) {
    String path() {
      return headers.get(":path");
    }
  }

  /** A TLS server choosing h2 through ALPN, running {@code script} on each connection. */
  private static final class H2Server implements AutoCloseable {
    interface Script {
      void run(Conn c) throws IOException;
    }

    private final SSLServerSocket server;
    final AtomicInteger connections = new AtomicInteger();

    /** Requests read, all connections. */
    final List<Request> requests = new CopyOnWriteArrayList<>();

    /** RST_STREAM frames the client sent: stream id and error code. */
    final List<int[]> resets = new CopyOnWriteArrayList<>();

    final Path pem;

    /** The MAX_CONCURRENT_STREAMS this server announces. */
    private final int maxStreams;

    /** What each new connection waits for before its TLS handshake; open unless a test sets it. */
    volatile CountDownLatch beforeHandshake = new CountDownLatch(0);

    H2Server(int initialWindow, Script script) throws IOException {
      this(initialWindow, 100, script);
    }

    H2Server(int initialWindow, int maxStreams, Script script) throws IOException {
      this.maxStreams = maxStreams;
      HandshakeCertificates hc =
          new HandshakeCertificates.Builder().heldCertificate(LOCALHOST).build();
      server =
          (SSLServerSocket)
              hc.sslContext()
                  .getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
      SSLParameters p = server.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      server.setSSLParameters(p);
      pem = Files.createTempFile("flintn-h2", ".pem");
      Files.writeString(pem, LOCALHOST.certificatePem());
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    SSLSocket s = (SSLSocket) server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              try (s) {
                                beforeHandshake.await();
                                s.startHandshake();
                                script.run(new Conn(s, initialWindow));
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

    @Override
    public void close() throws IOException {
      server.close();
    }

    /** One connection as the server sees it. Used by one thread. */
    final class Conn {
      private final DataInputStream in;
      private final OutputStream out;
      private final Hpack.Decoder decoder = new Hpack.Decoder(4096);
      private final Map<Integer, Request> partial = new HashMap<>();

      Conn(SSLSocket s, int initialWindow) throws IOException {
        in = new DataInputStream(s.getInputStream());
        out = s.getOutputStream();
        byte[] preface = new byte[24];
        in.readFully(preface);
        assertThat(preface).isEqualTo(Http2Connection.PREFACE);
        byte[] settings = new byte[12];
        settings[1] = 3; // MAX_CONCURRENT_STREAMS
        Http2Connection.put32(settings, 2, maxStreams);
        settings[7] = 4; // INITIAL_WINDOW_SIZE
        Http2Connection.put32(settings, 8, initialWindow);
        frame(Http2Connection.SETTINGS, 0, 0, settings);
      }

      /**
       * The next complete request, or a client's RST_STREAM as a request with only a {@code :reset}
       * header; null when the client closed the connection.
       */
      @Nullable Request next() throws IOException {
        while (true) {
          byte[] head = new byte[9];
          try {
            in.readFully(head);
          } catch (EOFException e) {
            return null;
          }
          int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
          int type = head[3];
          int flags = head[4];
          int id = Http2Connection.int32(head, 5);
          byte[] p = new byte[length];
          in.readFully(p);
          switch (type) {
            case Http2Connection.SETTINGS -> {
              if ((flags & Http2Connection.ACK) == 0) {
                frame(Http2Connection.SETTINGS, Http2Connection.ACK, 0, new byte[0]);
              }
            }
            case Http2Connection.HEADERS -> {
              assertThat(flags & Http2Connection.END_HEADERS).isNotZero();
              Map<String, String> h = new LinkedHashMap<>();
              decoder.decode(p, 0, p.length, h::put);
              partial.put(id, new Request(id, h, new byte[0]));
              if ((flags & Http2Connection.END_STREAM) != 0) {
                return done(id);
              }
            }
            case Http2Connection.DATA -> {
              Request r = partial.get(id);
              byte[] body = new byte[r.body().length + p.length];
              System.arraycopy(r.body(), 0, body, 0, r.body().length);
              System.arraycopy(p, 0, body, r.body().length, p.length);
              partial.put(id, new Request(id, r.headers(), body));
              if (p.length > 0) { // give the window back at once
                frame(Http2Connection.WINDOW_UPDATE, 0, id, Http2Connection.int32(p.length));
                frame(Http2Connection.WINDOW_UPDATE, 0, 0, Http2Connection.int32(p.length));
              }
              if ((flags & Http2Connection.END_STREAM) != 0) {
                return done(id);
              }
            }
            case Http2Connection.RST_STREAM -> {
              resets.add(new int[] {id, Http2Connection.int32(p, 0)});
              return new Request(
                  id, Map.of(":reset", String.valueOf(Http2Connection.int32(p, 0))), new byte[0]);
            }
            default -> {
              // WINDOW_UPDATE, PING, PRIORITY: nothing to do here
            }
          }
        }
      }

      private Request done(int id) {
        Request r = partial.remove(id);
        requests.add(r);
        return r;
      }

      /** Answers every request with {@code status} and no body until the client closes. */
      void answerEach(int status) throws IOException {
        for (Request r = next(); r != null; r = next()) {
          respond(r.stream(), status, "");
        }
      }

      void respond(int id, int status, String body, String... headers) throws IOException {
        Hpack.ByteSink b = new Hpack.ByteSink(64);
        Hpack.writeLiteral(b, 8, String.valueOf(status)); // :status
        for (int i = 0; i < headers.length; i += 2) {
          Hpack.writeLiteral(b, headers[i], headers[i + 1]);
        }
        byte[] block = java.util.Arrays.copyOf(b.bytes, b.size);
        int end = body.isEmpty() ? Http2Connection.END_STREAM : 0;
        frame(Http2Connection.HEADERS, Http2Connection.END_HEADERS | end, id, block);
        if (!body.isEmpty()) {
          frame(
              Http2Connection.DATA,
              Http2Connection.END_STREAM,
              id,
              body.getBytes(StandardCharsets.UTF_8));
        }
      }

      void goAway(int lastStream, int code) throws IOException {
        byte[] p = new byte[8];
        Http2Connection.put32(p, 0, lastStream);
        Http2Connection.put32(p, 4, code);
        frame(Http2Connection.GOAWAY, 0, 0, p);
      }

      void reset(int id, int code) throws IOException {
        frame(Http2Connection.RST_STREAM, 0, id, Http2Connection.int32(code));
      }

      void frame(int type, int flags, int id, byte[] payload) throws IOException {
        Hpack.ByteSink s = new Hpack.ByteSink(9 + payload.length);
        Http2Connection.frame(s, type, flags, id, payload, 0, payload.length);
        out.write(s.bytes, 0, s.size);
        out.flush();
      }
    }
  }

  private static WebhookSender sender(H2Server s, Duration timeout, boolean http2) {
    return new WebhookSender(
        new HttpConfig(timeout, Optional.of(s.pem), 64, 256, http2),
        new UrlGuard(List.of(Cidr.parse("127.0.0.1/32"))),
        Clock.systemUTC());
  }

  private static WebhookSender sender(H2Server s) {
    return sender(s, Duration.ofSeconds(10), true);
  }

  private static SendResult send(WebhookSender sender, String url) throws Exception {
    Endpoint e = Endpoints.endpoint("ep_h2", "acc_h2", url, List.of("*"), EndpointStatus.ACTIVE);
    Event event =
        Json.mapper().readValue(Endpoints.event("evt_h2", "order.created", "acc_h2"), Event.class);
    return sender.send(e, Delivery.first(event, e.endpointId(), null), Json.bytes(event));
  }

  private static SendResult.Response response(SendResult r) {
    assertThat(r).isInstanceOf(SendResult.Response.class);
    return (SendResult.Response) r;
  }

  /**
   * The request that opened a connection keeps a stream on it: the requests that waited for the
   * connection, woken when it joins the pool, cannot fill it first and leave that request to fail
   * without being sent.
   */
  @Test
  void theRequestThatOpenedAConnectionKeepsAStreamOnIt() throws Exception {
    try (H2Server s = new H2Server(65_535, 1, c -> c.answerEach(200));
        SSLSocket tls = (SSLSocket) clientTls().createSocket("127.0.0.1", port(s))) {
      SSLParameters p = tls.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      tls.setSSLParameters(p);
      tls.startHandshake();
      Http2Connection c =
          Http2Connection.start(tls, tls, "test", Clock.systemUTC(), Duration.ofSeconds(10));
      Http1Client.Target t = Http1Client.Target.of(URI.create(s.url("/hook")));
      Map<String, String> headers = Map.of("Content-Type", "application/json");
      byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
      // answered after the server's SETTINGS (one stream at a time), so they are in force now
      assertThat(c.exchange(t, headers, body, new Http1Client.Exchange()).status()).isEqualTo(200);
      assertThat(c.hasRoom()).isTrue();

      c.promiseStream();

      assertThat(c.hasRoom()).as("the only stream is promised").isFalse();
      assertThat(c.exchange(t, headers, body, new Http1Client.Exchange()))
          .as("another request finds no room")
          .isNull();
      Http1Connection.Answer a = c.exchange(t, headers, body, new Http1Client.Exchange(), true);
      assertThat(a).as("the promised request is sent").isNotNull();
      assertThat(a.status()).isEqualTo(200);
      assertThat(c.hasRoom()).isTrue();
      assertThat(s.requests).hasSize(2);
      c.close();
    }
  }

  /**
   * A connection whose handshake ends after the client was closed (a dispatcher's stop, with a
   * request still connecting) is closed, not pooled: nothing would ever close it.
   */
  @Test
  void aConnectionOpenedAfterTheClientClosedIsClosedNotPooled() throws Exception {
    try (H2Server s = new H2Server(65_535, c -> c.answerEach(200));
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      s.beforeHandshake = new CountDownLatch(1);
      WebhookSender sender = sender(s); // closed below, as the test's subject
      Future<SendResult> connecting = threads.submit(() -> send(sender, s.url("/hook")));
      await().atMost(Duration.ofSeconds(10)).until(() -> s.connections.get() > 0);
      sender.close();
      s.beforeHandshake.countDown();
      assertThat(connecting.get(30, TimeUnit.SECONDS)).isInstanceOf(SendResult.Failure.class);
      assertThat(sender.client().http2Connections()).isZero();
      assertThat(s.requests).isEmpty();
    }
  }

  private static javax.net.ssl.SSLSocketFactory clientTls() {
    return new HandshakeCertificates.Builder()
        .addTrustedCertificate(LOCALHOST.certificate())
        .build()
        .sslSocketFactory();
  }

  private static int port(H2Server s) {
    return URI.create(s.url("/")).getPort();
  }

  @Test
  void concurrentDeliveriesShareOneConnectionAndCarryTheSignedPost() throws Exception {
    int concurrent = 40;
    CountDownLatch together = new CountDownLatch(concurrent);
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  List<Request> held = new ArrayList<>();
                  for (Request r = c.next(); r != null; r = c.next()) {
                    if (r.path().equals("/busy")) {
                      c.respond(r.stream(), 503, "later", "retry-after", "7");
                      continue;
                    }
                    held.add(r);
                    together.countDown();
                    if (held.size() == concurrent) { // all open at once, then answered
                      for (Request h : held) {
                        c.respond(h.stream(), 200, "ok");
                      }
                    }
                  }
                });
        WebhookSender sender = sender(s);
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      // the first request opens the connection; the rest find it
      SendResult.Response busy = response(send(sender, s.url("/busy")));
      assertThat(busy.status()).isEqualTo(503);
      assertThat(busy.retryAfter()).contains("7");
      assertThat(busy.excerpt()).isEqualTo("later");
      List<Future<SendResult>> sent = new ArrayList<>();
      for (int i = 0; i < concurrent; i++) {
        sent.add(threads.submit(() -> send(sender, s.url("/hook?a=1"))));
      }
      for (Future<SendResult> f : sent) {
        SendResult.Response r = response(f.get(30, TimeUnit.SECONDS));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.excerpt()).isEqualTo("ok");
      }
      assertThat(s.connections.get()).isEqualTo(1);
      assertThat(sender.client().http2Connections()).isEqualTo(1);
      Request first = s.requests.get(1);
      assertThat(first.headers())
          .containsEntry(":method", "POST")
          .containsEntry(":scheme", "https")
          .containsEntry(":path", "/hook?a=1")
          .containsEntry(":authority", "127.0.0.1:" + URI.create(s.url("/")).getPort())
          .containsEntry("content-type", "application/json")
          .containsEntry("content-length", String.valueOf(first.body().length))
          .containsKeys("x-signature-primary", "webhook-signature", "webhook-id");
      assertThat(new String(first.body(), StandardCharsets.UTF_8)).contains("\"evt_h2\"");
    }
  }

  @Test
  void aRequestPastTheReceiversGoAwayIsSentOnceMoreOnANewConnection() throws Exception {
    AtomicInteger connection = new AtomicInteger();
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  boolean first = connection.incrementAndGet() == 1;
                  for (Request r = c.next(); r != null; r = c.next()) {
                    if (first) {
                      c.goAway(0, Http2Connection.NO_ERROR); // processed none of it
                    } else {
                      c.respond(r.stream(), 200, "");
                    }
                  }
                });
        WebhookSender sender = sender(s)) {
      assertThat(response(send(sender, s.url("/"))).status()).isEqualTo(200);
      assertThat(s.connections.get()).isEqualTo(2);
      assertThat(s.requests).hasSize(2); // read once by each; processed by the second only
    }
  }

  @Test
  void aGracefulGoAwayStillAnswersTheStreamsItCoversAndNewRequestsGoElsewhere() throws Exception {
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  Request r = c.next();
                  if (r != null) {
                    c.goAway(r.stream(), Http2Connection.NO_ERROR);
                    c.respond(r.stream(), 204, "");
                  }
                  while (c.next() != null) {
                    // nothing more on this connection
                  }
                });
        WebhookSender sender = sender(s)) {
      assertThat(response(send(sender, s.url("/"))).status()).isEqualTo(204);
      assertThat(response(send(sender, s.url("/"))).status()).isEqualTo(204);
      assertThat(s.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void aRefusedStreamIsSentAgainAndCountsOnce() throws Exception {
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  boolean refused = false;
                  for (Request r = c.next(); r != null; r = c.next()) {
                    if (!refused) {
                      refused = true;
                      c.reset(r.stream(), Http2Connection.REFUSED_STREAM);
                    } else {
                      c.respond(r.stream(), 200, "second");
                    }
                  }
                });
        WebhookSender sender = sender(s)) {
      assertThat(response(send(sender, s.url("/"))).excerpt()).isEqualTo("second");
      assertThat(s.connections.get()).isEqualTo(1);
      assertThat(s.requests).extracting(Request::stream).containsExactly(1, 3);
    }
  }

  @Test
  void aStreamResetForAnotherReasonIsAFailedAttemptNotSentAgain() throws Exception {
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  for (Request r = c.next(); r != null; r = c.next()) {
                    c.reset(r.stream(), 2); // INTERNAL_ERROR
                  }
                });
        WebhookSender sender = sender(s)) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) r).detail()).contains("INTERNAL_ERROR");
      assertThat(s.requests).hasSize(1);
    }
  }

  @Test
  void aDeadlineCutsItsOwnStreamAndNotTheOthersOnTheConnection() throws Exception {
    CountDownLatch slowSeen = new CountDownLatch(1);
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  Request fast = null;
                  int slow = -1;
                  boolean slowReset = false;
                  for (Request r = c.next(); r != null; r = c.next()) {
                    if (r.headers().containsKey(":reset")) {
                      slowReset |= r.stream() == slow;
                    } else if (r.path().equals("/slow")) {
                      slow = r.stream();
                      slowSeen.countDown();
                    } else {
                      fast = r;
                    }
                    // the fast one is answered once the slow one's deadline has reset it
                    if (fast != null && slowReset) {
                      c.respond(fast.stream(), 200, "fast");
                      fast = null;
                    }
                  }
                });
        WebhookSender sender = sender(s, Duration.ofSeconds(2), true);
        var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<SendResult> slow = threads.submit(() -> send(sender, s.url("/slow")));
      assertThat(slowSeen.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(1000);
      Future<SendResult> fast = threads.submit(() -> send(sender, s.url("/fast")));
      SendResult cut = slow.get(10, TimeUnit.SECONDS);
      assertThat(cut).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) cut).kind()).isEqualTo(SendResult.ErrorKind.TIMEOUT);
      assertThat(response(fast.get(10, TimeUnit.SECONDS)).excerpt()).isEqualTo("fast");
      assertThat(s.connections.get()).isEqualTo(1);
      assertThat(s.resets).anySatisfy(r -> assertThat(r[1]).isEqualTo(Http2Connection.CANCEL));
    }
  }

  @Test
  void aBodyLargerThanTheReceiversWindowWaitsForItsWindowUpdates() throws Exception {
    try (H2Server s =
            new H2Server(
                1_000,
                c -> {
                  for (Request r = c.next(); r != null; r = c.next()) {
                    c.respond(r.stream(), 200, String.valueOf(r.body().length));
                  }
                });
        WebhookSender sender = sender(s)) {
      byte[] body = new byte[50_000];
      java.util.Arrays.fill(body, (byte) 'x');
      Http1Client.Target t = Http1Client.Target.of(URI.create(s.url("/big")));
      Http1Connection.Answer a =
          sender
              .client()
              .post(t, Map.of("Content-Type", "text/plain"), body, new Http1Client.Exchange());
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.excerpt()).isEqualTo("50000");
      assertThat(s.requests.get(0).body()).isEqualTo(body);
    }
  }

  @Test
  void aReceiverThatStopsReadingLosesItsConnectionAtTheNextDeadline() throws Exception {
    AtomicInteger connection = new AtomicInteger();
    try (H2Server s =
            new H2Server(
                Integer.MAX_VALUE,
                c -> {
                  if (connection.incrementAndGet() == 1) {
                    c.frame(
                        Http2Connection.WINDOW_UPDATE,
                        0,
                        0,
                        Http2Connection.int32(Integer.MAX_VALUE - 65_535));
                    try {
                      Thread.sleep(60_000); // reads nothing more
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  c.answerEach(200);
                });
        var client =
            new Http1Client(
                TrustedCertificates.socketFactory(Optional.of(s.pem)),
                new GuardedDns(
                    GuardedDns.SYSTEM, new UrlGuard(List.of(Cidr.parse("127.0.0.1/32")))),
                new GuardedSocketFactory(new UrlGuard(List.of(Cidr.parse("127.0.0.1/32")))),
                Duration.ofSeconds(5),
                16,
                true,
                Clock.systemUTC(),
                Duration.ofMillis(500));
        var deadlines =
            new CallDeadlines(
                Clock.systemUTC(), Duration.ofMillis(20), () -> {}, Duration.ofHours(1))) {
      Http1Client.Target t = Http1Client.Target.of(URI.create(s.url("/")));
      byte[] body = new byte[64 << 20]; // far more than the sockets' buffers hold
      Http1Client.Exchange stuck = new Http1Client.Exchange();
      deadlines.arm(stuck, Duration.ofSeconds(2));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> client.post(t, Map.of("Content-Type", "text/plain"), body, stuck))
          .isInstanceOf(IOException.class);
      // the stuck connection was closed: the next request opens a new one and is answered
      Http1Client.Exchange next = new Http1Client.Exchange();
      deadlines.arm(next, Duration.ofSeconds(10));
      assertThat(client.post(t, Map.of(), new byte[0], next).status()).isEqualTo(200);
      assertThat(s.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void aPeerBreakingTheProtocolFailsItsStreamsAsAttempts() throws Exception {
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  Request r = c.next();
                  if (r != null) {
                    c.frame(
                        Http2Connection.PUSH_PROMISE,
                        Http2Connection.END_HEADERS,
                        r.stream(),
                        new byte[4]);
                  }
                  while (c.next() != null) {
                    // until the client closes
                  }
                });
        WebhookSender sender = sender(s)) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) r).detail()).contains("PUSH_PROMISE");
    }
  }

  @Test
  void withHttp2OffAReceiverThatOnlySpeaksHttp2FailsTheHandshake() throws Exception {
    try (H2Server s =
            new H2Server(
                65_535,
                c -> {
                  c.answerEach(200);
                });
        WebhookSender sender = sender(s, Duration.ofSeconds(10), false)) {
      SendResult r = send(sender, s.url("/"));
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      assertThat(((SendResult.Failure) r).kind()).isEqualTo(SendResult.ErrorKind.TLS);
    }
  }
}
