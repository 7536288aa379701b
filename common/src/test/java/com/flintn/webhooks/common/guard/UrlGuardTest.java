package com.flintn.webhooks.common.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlGuardTest {
  private final UrlGuard strict = UrlGuard.strict();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a00:1",
        "2002:a00:1::",
        "2001:db8::1",
        "198.18.0.1",
        "192.0.2.5"
      })
  void refusesInternalAddresses(String address) throws Exception {
    assertThat(strict.refusal(InetAddress.getByName(address))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "172.32.0.1"})
  void allowsPublicAddresses(String address) throws Exception {
    assertThat(strict.refusal(InetAddress.getByName(address))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://example.com/hook",
        "ftp://example.com/",
        "https://user:pw@example.com/",
        "https://127.0.0.1/hook",
        "https://[::1]:8443/hook",
        "https://169.254.169.254/latest/meta-data",
        "not a url"
      })
  void refusesUnsafeUrlForms(String url) {
    assertThat(strict.refusal(url)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://hooks.example.com/flintn", "HTTPS://example.com"})
  void acceptsHttpsUrlsWithNames(String url) {
    assertThat(strict.refusal(url)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::ffff:127.0.0.1"})
  void allowListOpensARange(String address) throws Exception {
    UrlGuard guard = new UrlGuard(List.of(Cidr.parse("127.0.0.0/8")));
    assertThat(guard.refusal(InetAddress.getByName(address))).isEmpty();
    assertThat(guard.refusal(InetAddress.getByName("10.0.0.1"))).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "banana", "10.0.0.0/x", "example.com/8"})
  void rejectsMalformedRanges(String text) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
