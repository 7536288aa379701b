package com.flintn.webhooks.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Delivery;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.testkit.Endpoints;
import com.flintn.webhooks.testkit.HttpsReceiver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * The whole-request timeout, kept by {@link CallDeadlines} rather than OkHttp's timers: it cuts a
 * request whose answer does not come, whatever stage it hangs in, and reports a timeout; an answer
 * that comes in time is not cut.
 */
class WebhookSenderTimeoutTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private static SendResult send(HttpsReceiver receiver, String path, Duration timeout)
      throws Exception {
    var config =
        new HttpConfig(timeout, Optional.of(receiver.trustedCertificatePem()), 4, 16, true);
    Endpoint e =
        Endpoints.endpoint(
            "ep_timeout", "acc_t", receiver.url(path), List.of("*"), EndpointStatus.ACTIVE);
    Event event =
        Json.mapper().readValue(Endpoints.event("evt_t", "order.created", "acc_t"), Event.class);
    try (WebhookSender sender =
        new WebhookSender(
            config, new UrlGuard(List.of(Cidr.parse("127.0.0.1/32"))), Clock.systemUTC())) {
      SendResult r = sender.send(e, Delivery.first(event, e.endpointId(), null), Json.bytes(event));
      assertThat(sender.inFlight()).isZero();
      return r;
    }
  }

  @Test
  void aRequestWhoseHeadersNeverComeIsCutAndReportedAsATimeout() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      receiver.respondWith(
          r -> new MockResponse.Builder().code(200).headersDelay(30, TimeUnit.SECONDS).build());
      SendResult r = send(receiver, "/hangs", TIMEOUT);
      assertThat(r).isInstanceOf(SendResult.Failure.class);
      SendResult.Failure f = (SendResult.Failure) r;
      assertThat(f.kind()).isEqualTo(SendResult.ErrorKind.TIMEOUT);
      assertThat(f.detail()).isEqualTo("timeout");
      assertThat(f.duration()).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(Duration.ofSeconds(30));
    }
  }

  @Test
  void anAnswerWithinTheTimeoutIsNotCut() throws Exception {
    try (HttpsReceiver receiver = new HttpsReceiver()) {
      receiver.respondWith(
          r ->
              new MockResponse.Builder()
                  .code(204)
                  .headersDelay(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .build());
      // generous: a cold TLS handshake on a busy machine takes a while, and is inside the timeout
      assertThat(send(receiver, "/ok", Duration.ofSeconds(10)))
          .isInstanceOfSatisfying(
              SendResult.Response.class, resp -> assertThat(resp.status()).isEqualTo(204));
    }
  }
}
