package com.flintn.webhooks.launcher.demo;

import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SignatureVerifier;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;

/**
 * The receiving end of {@code standalone --demo}: a local HTTPS server with its own certificate
 * that checks both signatures of every delivery, as a customer's receiver would, and prints one
 * line per delivery.
 */
public final class DemoReceiver implements AutoCloseable {
  public static final String PATH = "/webhooks/demo";

  private final HttpsServer server;
  private final Path certificatePem;
  private final AtomicInteger deliveries = new AtomicInteger();
  private volatile @Nullable Secret secret;

  private DemoReceiver(HttpsServer server, Path certificatePem) {
    this.server = server;
    this.certificatePem = certificatePem;
  }

  /** Starts on a free loopback port; the certificate's PEM is written into {@code dir}. */
  public static DemoReceiver start(Path dir, PrintStream out, Clock clock) throws IOException {
    HeldCertificate certificate =
        new HeldCertificate.Builder()
            .commonName("localhost")
            .addSubjectAlternativeName("localhost")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    Files.createDirectories(dir);
    Path pem = dir.resolve("demo-receiver.pem");
    Files.writeString(pem, certificate.certificatePem());
    HandshakeCertificates tls =
        new HandshakeCertificates.Builder().heldCertificate(certificate).build();
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls.sslContext()));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    DemoReceiver receiver = new DemoReceiver(server, pem);
    SignatureVerifier verifier = new SignatureVerifier(clock, SignatureVerifier.DEFAULT_TOLERANCE);
    server.createContext(PATH, exchange -> receiver.handle(exchange, verifier, out));
    server.start();
    return receiver;
  }

  public String url() {
    return "https://localhost:" + server.getAddress().getPort() + PATH;
  }

  public Path certificatePem() {
    return certificatePem;
  }

  public int deliveries() {
    return deliveries.get();
  }

  /** The secret the demo endpoint was registered with; deliveries are checked against it. */
  public void expectSecret(Secret secret) {
    this.secret = secret;
  }

  private void handle(HttpExchange exchange, SignatureVerifier verifier, PrintStream out)
      throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(1024 * 1024);
    }
    var h = exchange.getRequestHeaders();
    Secret s = secret;
    boolean primary =
        s != null && SignatureVerifier.verifyPrimary(s, body, h.getFirst("X-Signature-Primary"));
    boolean standard =
        s != null
            && verifier.verifyStandard(
                s,
                h.getFirst("webhook-id"),
                h.getFirst("webhook-timestamp"),
                body,
                h.getFirst("webhook-signature"));
    int n = deliveries.incrementAndGet();
    out.printf(
        "demo receiver: delivery #%d  %s %s attempt %s  X-Signature-Primary %s, webhook-signature %s%n",
        n,
        h.getFirst("X-Event-Id"),
        h.getFirst("X-Event-Type"),
        h.getFirst("X-Delivery-Attempt"),
        primary ? "valid" : "INVALID",
        standard ? "valid" : "INVALID");
    int status = primary && standard ? 200 : 401;
    byte[] answer = (status == 200 ? "ok" : "bad signature").getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, answer.length);
    exchange.getResponseBody().write(answer);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
