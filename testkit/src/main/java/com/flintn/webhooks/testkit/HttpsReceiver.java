package com.flintn.webhooks.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTPS receiver for tests: OkHttp's MockWebServer with a certificate for {@code localhost},
 * {@code 127.0.0.1} and {@code 127.0.0.2}, whose PEM is written to a file for {@code
 * http.trusted-certificates}. It records every request and answers with what {@code responder} says
 * (200 by default). Accepted sockets get TCP_NODELAY, without which every request stalls about 40
 * ms (Nagle + delayed ACK).
 */
public final class HttpsReceiver implements AutoCloseable {

  /** One request as received, with its arrival time. Header names are case-insensitive. */
  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed; tests read the body
  public record Received(String path, Map<String, String> headers, byte[] body, long atMillis) {
    public @Nullable String header(String name) {
      return headers.get(name);
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private static final HeldCertificate CERTIFICATE =
      new HeldCertificate.Builder()
          .commonName("localhost")
          .addSubjectAlternativeName("localhost")
          .addSubjectAlternativeName("127.0.0.1")
          .addSubjectAlternativeName("127.0.0.2")
          .build();

  private static final Clock CLOCK = Clock.systemUTC();

  private final MockWebServer server = new MockWebServer();
  private final String host;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Path pem;
  private volatile Function<Received, MockResponse> responder =
      r -> new MockResponse.Builder().code(200).body("ok").build();

  public HttpsReceiver() {
    this("127.0.0.1");
  }

  /**
   * A receiver listening on {@code bindAddress}, a loopback address such as {@code 127.0.0.2}; its
   * {@link #url} names that address ({@code localhost} for 127.0.0.1).
   */
  public HttpsReceiver(String bindAddress) {
    this.host = bindAddress.equals("127.0.0.1") ? "localhost" : bindAddress;
    try {
      pem = Files.createTempFile("flintn-receiver", ".pem");
      Files.writeString(pem, CERTIFICATE.certificatePem());
      HandshakeCertificates server =
          new HandshakeCertificates.Builder().heldCertificate(CERTIFICATE).build();
      this.server.useHttps(server.sslSocketFactory());
      this.server.setServerSocketFactory(new NoDelayServerSocketFactory());
      this.server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              TreeMap<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              for (String name : request.getHeaders().names()) {
                headers.put(name, request.getHeaders().get(name));
              }
              Received r =
                  new Received(
                      request.getUrl().encodedPath(),
                      headers,
                      request.getBody() == null ? new byte[0] : request.getBody().toByteArray(),
                      CLOCK.millis());
              received.add(r);
              return responder.apply(r);
            }
          });
      this.server.start(InetAddress.getByName(bindAddress), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code https://localhost:<port><path>}, or the bound address instead of localhost. */
  public String url(String path) {
    return "https://" + host + ":" + server.getPort() + path;
  }

  public int port() {
    return server.getPort();
  }

  /** Offers HTTP/1.1 only (the default also offers HTTP/2), to compare the two. */
  public void http1Only() {
    server.setProtocols(List.of(okhttp3.Protocol.HTTP_1_1));
  }

  public void respondWith(Function<Received, MockResponse> responder) {
    this.responder = responder;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> receivedAt(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  public Path trustedCertificatePem() {
    return pem;
  }

  @Override
  public void close() {
    server.close();
    try {
      Files.deleteIfExists(pem);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }

  private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
    @Override
    public ServerSocket createServerSocket() throws IOException {
      return new NoDelayServerSocket();
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      ServerSocket s = new NoDelayServerSocket();
      s.bind(new InetSocketAddress(port));
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      ServerSocket s = new NoDelayServerSocket();
      s.bind(new InetSocketAddress(port), backlog);
      return s;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
        throws IOException {
      ServerSocket s = new NoDelayServerSocket();
      s.bind(new InetSocketAddress(address, port), backlog);
      return s;
    }
  }

  private static final class NoDelayServerSocket extends ServerSocket {
    NoDelayServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      Socket s = super.accept();
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
