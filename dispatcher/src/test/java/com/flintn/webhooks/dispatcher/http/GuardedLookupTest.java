package com.flintn.webhooks.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.UrlGuard;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dispatcher's checks around a connection, with answers made up here: nothing is sent. */
class GuardedLookupTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void oneBlockedAnswerRefusesTheWholeName() throws Exception {
    List<InetAddress> mixed = List.of(ip("93.184.216.34"), ip("10.0.0.9"));
    GuardedDns dns = new GuardedDns(host -> mixed, UrlGuard.strict());
    assertThatThrownBy(() -> dns.lookup("mixed.example.com"))
        .isInstanceOf(UnsafeAddressException.class)
        .hasMessage(UrlGuard.BLOCKED_RESOLUTION)
        .satisfies(
            e ->
                assertThat(((UnsafeAddressException) e).detail())
                    .isEqualTo(
                        "mixed.example.com resolves to a blocked address: 10.0.0.9 is a private"
                            + " address"));
  }

  @Test
  void publicAnswersPass() throws Exception {
    List<InetAddress> answers = List.of(ip("93.184.216.34"), ip("2606:4700:4700::1111"));
    assertThat(new GuardedDns(host -> answers, UrlGuard.strict()).lookup("example.com"))
        .isEqualTo(answers);
  }

  @Test
  void theSocketRefusesABlockedAddressBeforeConnecting() throws Exception {
    try (var socket = new GuardedSocketFactory(UrlGuard.strict()).createSocket()) {
      assertThatThrownBy(() -> socket.connect(new InetSocketAddress(ip("169.254.169.254"), 80)))
          .isInstanceOf(UnsafeAddressException.class)
          .hasMessage(UrlGuard.BLOCKED_RESOLUTION)
          .satisfies(e -> assertThat(((UnsafeAddressException) e).detail()).contains("link-local"));
      assertThat(socket.isConnected()).isFalse();
    }
  }

  @Test
  void theClientFollowsNoRedirectsAndConnectsOnlyThroughTheGuard() throws Exception {
    var config = new HttpConfig(Duration.ofSeconds(5), Optional.empty(), 8, 64);
    try (WebhookSender sender = new WebhookSender(config, UrlGuard.strict(), Clock.systemUTC())) {
      Field field = WebhookSender.class.getDeclaredField("clients");
      field.setAccessible(true);
      OkHttpClient[] clients = (OkHttpClient[]) field.get(sender);
      assertThat(clients).hasSize(WebhookSender.POOLS);
      for (OkHttpClient client : clients) {
        assertThat(client.followRedirects()).as("followRedirects").isFalse();
        assertThat(client.followSslRedirects()).as("followSslRedirects").isFalse();
        assertThat(client.retryOnConnectionFailure()).isFalse();
        assertThat(client.proxy()).isEqualTo(Proxy.NO_PROXY);
        assertThat(client.dns()).isInstanceOf(GuardedDns.class);
        assertThat(client.socketFactory()).isInstanceOf(GuardedSocketFactory.class);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://hooks.example.com/x",
        "https://HOOKS.example.com:443/x",
        "https://203.0.113.7:8443/",
        "https://[2606:4700:4700::1111]/",
        "https://[::ffff:8.8.8.8]/"
      })
  void aPlainUrlIsOneTargetToBothParsers(String url) {
    assertThat(WebhookSender.sameTarget(url, HttpUrl.get(url))).isEmpty();
  }

  @Test
  void aUrlThatOkHttpReadsAsAnotherHostIsRefused() {
    // OkHttp would decode and connect to 127.0.0.1; java.net.URI sees no such host
    assertThat(
            WebhookSender.sameTarget(
                "https://hooks.example.com/x", HttpUrl.get("https://%31%32%37.0.0.1/x")))
        .hasValueSatisfying(r -> assertThat(r).contains("two different targets"));
  }
}
