package com.flintn.webhooks.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.config.FlintnConfig.HttpConfig;
import com.flintn.webhooks.common.guard.UrlGuard;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
  void theClientConnectsOnlyThroughTheGuard() throws Exception {
    var config = new HttpConfig(Duration.ofSeconds(5), Optional.empty(), 8, 64, true);
    try (WebhookSender sender = new WebhookSender(config, UrlGuard.strict(), Clock.systemUTC())) {
      assertThat(sender.client().dns()).isInstanceOf(GuardedDns.class);
      assertThat(sender.client().sockets()).isInstanceOf(GuardedSocketFactory.class);
    }
  }
}
