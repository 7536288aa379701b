package com.flintn.webhooks.admin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registration-time checks of host names, with a resolver that answers like DNS would. */
class EndpointRequestsTest {
  private static final Map<String, String> DNS =
      Map.of(
          "internal.example.com", "10.0.0.8",
          "metadata.example.com", "169.254.169.254",
          "rebind.example.com", "::1",
          "public.example.com", "93.184.216.34");

  private final EndpointRequests requests =
      new EndpointRequests(
          UrlGuard.strict(),
          host -> {
            String ip = DNS.get(host);
            if (ip == null) {
              throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(ip)};
          });

  @Test
  void refusesNamesThatResolveToPrivateSpaceWithoutTellingTheAnswer() {
    for (String host :
        List.of("internal.example.com", "metadata.example.com", "rebind.example.com")) {
      assertThatThrownBy(() -> requests.create(body("https://" + host + "/hook")))
          .isInstanceOf(ApiError.class)
          .hasMessage("url is refused: " + UrlGuard.BLOCKED_RESOLUTION)
          .message()
          .doesNotContain(DNS.get(host), "10.0.0.8", "169.254", "0:0:0:0:0:0:0:1", "::1");
    }
  }

  @Test
  void anAddressTheCustomerWroteIsNamedInTheRefusal() {
    assertThatThrownBy(() -> requests.create(body("https://10.0.0.8/hook")))
        .isInstanceOf(ApiError.class)
        .hasMessage("url is refused: 10.0.0.8 is a private address");
  }

  @Test
  void acceptsPublicAndNotYetResolvableNames() {
    assertThat(requests.create(body("https://public.example.com/hook")).url())
        .isEqualTo("https://public.example.com/hook");
    assertThat(requests.create(body("https://not-yet.example.com/hook")).url())
        .isEqualTo("https://not-yet.example.com/hook");
  }

  @Test
  void theAllowListOpensRangesForNamesToo() {
    EndpointRequests open =
        new EndpointRequests(
            new UrlGuard(List.of(Cidr.parse("10.0.0.0/8"))),
            host -> new InetAddress[] {InetAddress.getByName("10.0.0.8")});
    assertThat(open.create(body("https://internal.example.com/hook")).url()).isNotNull();
  }

  private static byte[] body(String url) {
    return ("{\"name\":\"n\",\"url\":\"" + url + "\",\"event_types\":[\"*\"]}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
