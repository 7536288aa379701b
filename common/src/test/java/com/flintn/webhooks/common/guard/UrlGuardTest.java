package com.flintn.webhooks.common.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        "192.0.2.5",
        "::ffff:0:127.0.0.1",
        "64:ff9b:1::a00:1",
        "3fff::1",
        "2001:0:4136:e378:8000:63bf:80ff:fffe"
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
  @ValueSource(
      strings = {
        "https://hooks.example.com/flintn",
        "HTTPS://example.com",
        "https://example.com./trailing-dot",
        "https://1password.com/",
        "https://8.8.8.8/",
        "https://[2606:4700:4700::1111]:8443/"
      })
  void acceptsHttpsUrlsWithNamesAndPublicAddresses(String url) {
    assertThat(strict.refusal(url)).isEmpty();
  }

  /** Every way of writing a host that parsers and resolvers read differently is refused. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://2130706433/               | four decimal numbers",
        "https://0177.0.0.1/               | four decimal numbers",
        "https://017700000001/             | four decimal numbers",
        "https://0x7f.0x0.0x0.0x1/         | four decimal numbers",
        "https://0x7f000001/               | four decimal numbers",
        "https://127.1/                    | four decimal numbers",
        "https://10.1/                     | four decimal numbers",
        "https://0/                        | four decimal numbers",
        "https://127.0.0.1./               | four decimal numbers",
        "https://127.0.0.01/               | four decimal numbers",
        "https://example.123/              | four decimal numbers",
        "https://%31%32%37.0.0.1/          | percent-encoded",
        "https://127。0。0。1/              | in ASCII",
        "https://[fe80::1%25eth0]/         | zone ids",
        "https://good.example@127.1/       | user info",
        "https://[::1]/                    | 0:0:0:0:0:0:0:1 is a loopback address",
        "https://[::]/                     | the unspecified address",
        "https://[64:ff9b::a00:1]/         | embeds 10.0.0.1, which is a private address",
        "https://[2002:7f00:1::]/          | embeds 127.0.0.1, which is a loopback address",
        "https://[::ffff:0:7f00:1]/        | embeds 127.0.0.1",
        "https://localhost/                | loopback name",
        "https://LOCALHOST./               | loopback name",
        "https://localhost.localdomain/    | loopback name",
        "https://api.localhost/            | loopback name",
        "https://ip6-localhost/            | loopback name",
      })
  void refusesAmbiguousHostsAndSaysWhy(String url, String why) {
    assertThat(strict.refusal(url)).hasValueSatisfying(r -> assertThat(r).contains(why));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1/32", "::1/128"})
  void loopbackNamesAreAllowedWhereTheLoopbackIs(String range) {
    UrlGuard guard = new UrlGuard(List.of(Cidr.parse(range)));
    assertThat(guard.refusal("https://localhost:8443/hook")).isEmpty();
    assertThat(new UrlGuard(List.of(Cidr.parse("10.0.0.0/8"))).refusal("https://localhost/"))
        .isPresent();
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
