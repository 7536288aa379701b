package com.flintn.webhooks.admin;

import static com.flintn.webhooks.admin.AdminFixture.KEY_A;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.scheduler.RetrySchedulerApp;
import com.flintn.webhooks.testkit.Endpoints;
import com.flintn.webhooks.testkit.FakeNames;
import com.flintn.webhooks.testkit.HttpsReceiver;
import com.flintn.webhooks.testkit.TestEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Server-side request forgery, end to end: URLs that reach private or special address space in
 * every spelling are refused when registered through the real API (422, naming why) and refused by
 * the real dispatcher when they reach the endpoints table another way (one attempt each, {@code
 * rejected_unsafe_url} with the reason, dead-lettered), without a single connection: a listener on
 * the wildcard address at the port the local targets name counts every connection made to this
 * machine. For a name, neither the 422 nor the attempt record tells the tenant the blocked answer,
 * only that the host resolves where webhooks may not go; an address the tenant wrote is named.
 * Names resolve through {@link FakeNames}, so no real DNS is asked. A redirect from an allowed
 * receiver to a second receiver on 127.0.0.2 is not followed.
 *
 * <p>The guard's allow-list here is 127.0.0.3/32 only: it stands in for a public address, so that a
 * name that mixes an allowed and a blocked answer, or that answers an allowed address at
 * registration and a private one later (DNS rebinding), can be tested without anything ever being
 * sent off this machine.
 */
@Tag("broker")
class SsrfRefusalTest {
  private static final String STAND_IN_PUBLIC = "127.0.0.3";
  private static final String ACCOUNT = "acc_ssrf";

  /** A name looked up only to tell when the JDK's DNS cache has let go of an earlier answer. */
  private static final String CACHE_CLOCK = "cache-clock." + FakeNames.ZONE;

  private static Trap trap;
  private static int port;

  /** One hostile URL and the reason that must be given for it, at registration and at delivery. */
  record Target(String url, String atRegistration, String atDelivery) {
    Target(String url, String reason) {
      this(url, reason, reason);
    }
  }

  @BeforeAll
  static void names() throws IOException {
    trap = new Trap("::", 0);
    port = trap.port();
    FakeNames.answer("internal." + FakeNames.ZONE, "10.0.0.8");
    FakeNames.answer("metadata." + FakeNames.ZONE, "169.254.169.254");
    FakeNames.answer("loopback." + FakeNames.ZONE, "127.0.0.1");
    FakeNames.answer("loopback6." + FakeNames.ZONE, "::1");
    FakeNames.answer("cgnat." + FakeNames.ZONE, "100.64.1.1");
    FakeNames.answer("ula." + FakeNames.ZONE, "fd12:3456::1");
    FakeNames.answer("nat64." + FakeNames.ZONE, "64:ff9b::a9fe:a9fe");
    FakeNames.answer("mixed." + FakeNames.ZONE, STAND_IN_PUBLIC, "10.0.0.9");
    FakeNames.answer("rebind." + FakeNames.ZONE, STAND_IN_PUBLIC);
    FakeNames.answer(CACHE_CLOCK, STAND_IN_PUBLIC);
  }

  @AfterAll
  static void closeTrap() throws IOException {
    trap.close();
  }

  private static List<Target> targets() {
    String p = ":" + port;
    String four = "four decimal numbers";
    String blocked = UrlGuard.BLOCKED_RESOLUTION;
    String z = "." + FakeNames.ZONE;
    List<Target> t = new ArrayList<>();
    // hosts that parsers and resolvers read as numbers, in every base and length
    for (String host :
        List.of(
            "2130706433" + p,
            "0177.0.0.1" + p,
            "017700000001" + p,
            "0x7f.0x0.0x0.0x1" + p,
            "0x7f000001" + p,
            "127.1" + p,
            "10.1",
            "0" + p,
            "0x7f.1" + p,
            "127.0.0.1." + p,
            "0127.0.0.1" + p,
            "127.000.000.001" + p,
            "3232235521",
            "0xa9fea9fe")) {
      t.add(new Target("https://" + host + "/hook", four));
    }
    // IPv4 literals in every blocked range
    t.add(new Target("https://0.0.0.0" + p + "/", "0.0.0.0 is the unspecified/this-network range"));
    t.add(new Target("https://127.0.0.1" + p + "/", "127.0.0.1 is a loopback address"));
    t.add(new Target("https://127.0.0.2" + p + "/", "127.0.0.2 is a loopback address"));
    t.add(new Target("https://127.255.255.254" + p + "/", "127.255.255.254 is a loopback"));
    t.add(new Target("https://10.0.0.1/", "10.0.0.1 is a private address"));
    t.add(new Target("https://10.255.255.254:8443/", "10.255.255.254 is a private address"));
    t.add(new Target("https://172.16.0.1/", "172.16.0.1 is a private address"));
    t.add(new Target("https://172.31.255.254/", "172.31.255.254 is a private address"));
    t.add(new Target("https://192.168.0.1/", "192.168.0.1 is a private address"));
    t.add(new Target("https://192.168.255.254:6379/", "192.168.255.254 is a private address"));
    t.add(new Target("https://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"));
    t.add(new Target("https://100.127.255.254/", "100.127.255.254 is a carrier-grade NAT"));
    t.add(
        new Target(
            "https://169.254.169.254/latest/meta-data/iam/",
            "169.254.169.254 is a link-local address (cloud metadata lives here)"));
    t.add(new Target("https://169.254.0.1/", "169.254.0.1 is a link-local address"));
    t.add(new Target("https://198.18.0.1/", "198.18.0.1 is a benchmarking address"));
    t.add(new Target("https://198.19.255.254/", "198.19.255.254 is a benchmarking address"));
    t.add(new Target("https://224.0.0.1/", "224.0.0.1 is a multicast address"));
    t.add(new Target("https://239.255.255.250:1900/", "239.255.255.250 is a multicast address"));
    t.add(new Target("https://240.0.0.1/", "240.0.0.1 is a reserved address"));
    t.add(new Target("https://255.255.255.255/", "255.255.255.255 is a reserved address"));
    t.add(new Target("https://192.0.0.1/", "192.0.0.1 is an IETF protocol assignment"));
    t.add(new Target("https://192.0.2.2" + p + "/", "192.0.2.2 is a documentation address"));
    // IPv6, and IPv6 forms that carry a blocked IPv4 address
    t.add(new Target("https://[::]" + p + "/", "0:0:0:0:0:0:0:0 is the unspecified address"));
    t.add(new Target("https://[::1]" + p + "/", "0:0:0:0:0:0:0:1 is a loopback address"));
    t.add(new Target("https://[::ffff:127.0.0.1]" + p + "/", "127.0.0.1 is a loopback address"));
    t.add(new Target("https://[::ffff:7f00:1]" + p + "/", "127.0.0.1 is a loopback address"));
    t.add(new Target("https://[::ffff:a9fe:a9fe]/", "169.254.169.254 is a link-local address"));
    t.add(new Target("https://[::ffff:10.0.0.1]/", "10.0.0.1 is a private address"));
    t.add(new Target("https://[64:ff9b::a00:1]/", "embeds 10.0.0.1, which is a private address"));
    t.add(new Target("https://[64:ff9b::7f00:1]" + p + "/", "embeds 127.0.0.1, which is a loop"));
    t.add(new Target("https://[2002:7f00:1::]" + p + "/", "embeds 127.0.0.1, which is a loopback"));
    t.add(new Target("https://[2002:a9fe:a9fe::]/", "embeds 169.254.169.254, which is a link"));
    t.add(new Target("https://[::127.0.0.1]" + p + "/", "embeds 127.0.0.1, which is a loopback"));
    t.add(new Target("https://[::ffff:0:7f00:1]" + p + "/", "embeds 127.0.0.1, which is a loop"));
    t.add(
        new Target(
            "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "embeds 127.0.0.1, which is a loopback address"));
    t.add(new Target("https://[fe80::1]/", "fe80:0:0:0:0:0:0:1 is a link-local address"));
    t.add(new Target("https://[fe80::1%25eth0]/", "zone ids such as %25eth0 are not accepted"));
    t.add(new Target("https://[fc00::1]/", "fc00:0:0:0:0:0:0:1 is a unique-local address"));
    t.add(new Target("https://[fd00::1]/", "fd00:0:0:0:0:0:0:1 is a unique-local address"));
    t.add(new Target("https://[fd00::2]" + p + "/", "fd00:0:0:0:0:0:0:2 is a unique-local"));
    t.add(new Target("https://[ff02::1]/", "ff02:0:0:0:0:0:0:1 is a multicast address"));
    t.add(new Target("https://[fec0::1]/", "fec0:0:0:0:0:0:0:1 is a site-local address"));
    t.add(new Target("https://[64:ff9b:1::a00:1]/", "is a local-use NAT64 address"));
    // names: loopback names by name, other names by every answer of their resolution
    for (String name :
        List.of(
            "localhost", "LOCALHOST.", "localhost.localdomain", "api.localhost", "ip6-localhost")) {
      t.add(new Target("https://" + name + p + "/", name + " resolves to this machine"));
    }
    // The tenant is told that the name's answers are off limits, not what they are.
    for (String host :
        List.of(
            "internal" + z + "/",
            "metadata" + z + "/latest/meta-data/",
            "loopback" + z + p + "/",
            "loopback6" + z + p + "/",
            "cgnat" + z + "/",
            "ula" + z + "/",
            "nat64" + z + "/",
            "mixed" + z + p + "/",
            "INTERNAL" + z + "." + p + "/")) {
      t.add(new Target("https://" + host, blocked));
    }
    // user info, encodings, ports, scheme
    t.add(new Target("https://good.example@127.0.0.1" + p + "/", "user info are not allowed"));
    t.add(new Target("https://good.example:pw@10.0.0.1/", "user info are not allowed"));
    t.add(new Target("https://good.example@127.1" + p + "/", "user info are not allowed"));
    t.add(new Target("https://%31%32%37.0.0.1" + p + "/", "must not be percent-encoded"));
    t.add(new Target("https://127%2E0%2E0%2E1" + p + "/", "must not be percent-encoded"));
    t.add(
        new Target("https://%6c%6f%63%61%6c%68%6f%73%74" + p + "/", "must not be percent-encoded"));
    t.add(new Target("https://\u2460\u2461\u2466.0.0.1" + p + "/", "write the host in ASCII"));
    t.add(new Target("https://127\u30020\u30020\u30021" + p + "/", "write the host in ASCII"));
    t.add(new Target("https://127.0.0.1:0/", "port must be 1-65535"));
    t.add(new Target("https://127.0.0.1:65536/", "port must be 1-65535"));
    t.add(new Target("https://127.0.0.1\\@good.example/", "not a valid URL"));
    t.add(new Target("http://127.0.0.1" + p + "/", "must use https://", "only https://"));
    return t;
  }

  @Test
  void privateAndSpecialTargetsAreRefusedAtRegistrationAndAtDelivery() throws Exception {
    long started = System.nanoTime();
    List<Target> targets = targets();
    try (AdminFixture f =
        new AdminFixture("ssrf", Map.of(ConfigKey.URL_GUARD_ALLOW, STAND_IN_PUBLIC + "/32"))) {
      // DNS rebinding: the name answers an allowed address at registration, a private one after.
      String rebindUrl = "https://rebind." + FakeNames.ZONE + ":" + port + "/hook";
      AdminFixture.Answer rebind = register(f, rebindUrl);
      assertThat(rebind.status()).as(rebind.raw().body()).isEqualTo(201);
      // The JDK keeps a name's answers a while (30 s by default; this module's tests run with
      // sun.net.inetaddr.ttl=2, see admin/pom.xml). CACHE_CLOCK, looked up now, is kept no longer
      // than the
      // rebinding name's answer from registration: once CACHE_CLOCK is looked up afresh, the
      // rebinding name will be too.
      InetAddress.getAllByName(CACHE_CLOCK);
      int clockLookups = FakeNames.lookups(CACHE_CLOCK);
      String rebindId = rebind.body().get("id").asText();
      FakeNames.answer("rebind." + FakeNames.ZONE, "10.0.0.10");

      // 1. Registration through the real API: every one a 422 that says why.
      Map<String, String> table = new LinkedHashMap<>();
      List<String> wrong = new ArrayList<>();
      for (Target t : targets) {
        AdminFixture.Answer a = register(f, t.url());
        String message = a.errorMessage() == null ? a.raw().body() : a.errorMessage();
        table.put(t.url(), a.status() + " " + message);
        if (a.status() != 422
            || !"validation_failed".equals(a.errorCode())
            || !message.contains(t.atRegistration())
            || tellsAnswers(t.url(), message)) {
          wrong.add(t.url() + " -> " + a.status() + " " + a.raw().body());
        }
      }
      assertThat(wrong).as("registrations not refused as expected").isEmpty();
      assertThat(f.call("GET", "/v1/webhooks", KEY_A, null).body().get("data"))
          .as("only the rebinding name was registered")
          .hasSize(1);

      // 2. The same URLs straight into the endpoints table, past the API's checks. Before any
      // event: each is refused by the guard's static check, or is a name whose answers include a
      // blocked address, so even a broken dispatcher would find nothing off this machine to reach.
      UrlGuard guard = new UrlGuard(List.of(Cidr.parse(STAND_IN_PUBLIC + "/32")));
      for (Target t : targets) {
        String host;
        try {
          host = new URI(t.url()).getHost();
        } catch (URISyntaxException e) {
          host = null;
        }
        boolean fakeName = host != null && FakeNames.inZone(host);
        assertThat(
                fakeName
                    ? FakeNames.answers(host).stream().anyMatch(a -> guard.refusal(a).isPresent())
                    : guard.refusal(t.url()).isPresent())
            .as("refused before any connection: " + t.url())
            .isTrue();
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        String id = String.format("ep_ssrf_%02d", i);
        ids.add(id);
        f.env.putEndpoint(
            Endpoints.endpoint(
                id, ACCOUNT, targets.get(i).url(), List.of("*"), EndpointStatus.ACTIVE));
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  ids.stream()
                      .allMatch(id -> f.dispatcher.knownEndpoint(EndpointId.of(id)).isPresent()));
      f.env.send(
          f.env.topics().events().name(),
          ACCOUNT.getBytes(StandardCharsets.UTF_8),
          Endpoints.event("evt_ssrf", "order.created", ACCOUNT).getBytes(StandardCharsets.UTF_8));

      // The rebinding name: its cached answer from registration must have expired before the
      // dispatcher looks it up again.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                InetAddress.getAllByName(CACHE_CLOCK);
                return FakeNames.lookups(CACHE_CLOCK) > clockLookups;
              });
      int rebindLookups = FakeNames.lookups("rebind." + FakeNames.ZONE);
      assertThat(f.call("POST", "/v1/webhooks/" + rebindId + "/test", KEY_A, null).status())
          .isEqualTo(202);

      List<AttemptRecord> attempts =
          await()
              .atMost(Duration.ofSeconds(120))
              .until(
                  () -> f.env.readValues(f.env.topics().attempts()),
                  a -> a.size() >= targets.size() + 1);
      assertThat(attempts).hasSize(targets.size() + 1);
      Map<String, AttemptRecord> byEndpoint = new LinkedHashMap<>();
      attempts.forEach(a -> byEndpoint.put(a.endpointId().value(), a));
      List<String> delivery = new ArrayList<>();
      for (int i = 0; i < targets.size(); i++) {
        Target t = targets.get(i);
        AttemptRecord a = byEndpoint.get(ids.get(i));
        String seen = a == null ? "no attempt" : a.outcome().wireName() + " " + a.detail();
        table.merge(t.url(), seen, (reg, del) -> reg + " | " + del);
        if (a == null
            || a.outcome() != AttemptOutcome.REJECTED_UNSAFE_URL
            || !"unsafe_url".equals(a.error())
            || a.status() != null
            || a.detail() == null
            || !a.detail().contains(t.atDelivery())
            || tellsAnswers(t.url(), a.detail())) {
          delivery.add(t.url() + " -> " + seen);
        }
      }
      AttemptRecord rebound = byEndpoint.get(rebindId);
      table.put(
          rebindUrl + " (answers " + STAND_IN_PUBLIC + ", then 10.0.0.10)",
          "201 | " + rebound.outcome().wireName() + " " + rebound.detail());
      printTable(table);
      assertThat(delivery).as("deliveries not refused as expected").isEmpty();
      assertThat(rebound.outcome()).isEqualTo(AttemptOutcome.REJECTED_UNSAFE_URL);
      assertThat(rebound.detail()).isEqualTo(UrlGuard.BLOCKED_RESOLUTION).doesNotContain("10.0.0");
      assertThat(FakeNames.lookups("rebind." + FakeNames.ZONE))
          .as("the dispatcher resolved the name again at delivery")
          .isGreaterThan(rebindLookups);

      List<ConsumerRecord<byte[], byte[]>> dlq = f.env.readAll(f.env.topics().dlq().name());
      assertThat(dlq)
          .hasSize(targets.size() + 1)
          .allSatisfy(r -> assertThat(header(r, "reason")).isEqualTo("unsafe_url"));
      assertThat(trap.accepted()).as("connections made to this machine").isEmpty();
      assertThat(f.receiver.received()).isEmpty();
      System.out.printf(
          "SSRF: %d URLs refused at registration, %d at delivery (+1 rebinding name), in %.1f s%n",
          targets.size(), targets.size() - delivery.size(), (System.nanoTime() - started) / 1e9);
    }
  }

  @Test
  void redirectsToAPrivateAddressAreNotFollowed() throws Exception {
    long started = System.nanoTime();
    // One test event to each of the 12 redirecting endpoints, past the default 10 a minute; the
    // short retry tiers, since each one is retried to its dead letter.
    try (AdminFixture f =
            new AdminFixture(
                "ssrf-redirect",
                Map.of(
                    ConfigKey.ADMIN_TEST_EVENTS_PER_MINUTE,
                    "100",
                    ConfigKey.RETRY_TIERS,
                    TestEnvironment.FAST_RETRY_TIERS));
        HttpsReceiver second = new HttpsReceiver("127.0.0.2");
        Trap secondTrap = new Trap("127.0.0.2", 0);
        RetrySchedulerApp retries = new RetrySchedulerApp(f.env.config(), Clock.systemUTC())) {
      retries.start();
      Map<String, String> locations = new LinkedHashMap<>();
      for (int code : new int[] {301, 302, 303, 307, 308}) {
        locations.put("/redirect-" + code + "-receiver", second.url("/stolen-" + code));
        locations.put(
            "/redirect-" + code + "-socket",
            "https://127.0.0.2:" + secondTrap.port() + "/stolen-" + code);
      }
      locations.put("/redirect-302-metadata", "https://169.254.169.254/latest/meta-data/");
      locations.put("/redirect-307-http", "http://127.0.0.2:" + secondTrap.port() + "/");
      f.receiver.respondWith(
          r -> {
            String location = locations.get(r.path());
            int code = Integer.parseInt(r.path().replaceAll("/redirect-(\\d+)-.*", "$1"));
            return new MockResponse.Builder().code(code).addHeader("Location", location).build();
          });
      Map<String, String> ids = new LinkedHashMap<>();
      for (String path : locations.keySet()) {
        AdminFixture.Answer a = register(f, f.receiver.url(path));
        assertThat(a.status()).as(a.raw().body()).isEqualTo(201);
        ids.put(a.body().get("id").asText(), path);
      }
      for (String id : ids.keySet()) {
        assertThat(f.call("POST", "/v1/webhooks/" + id + "/test", KEY_A, null).status())
            .isEqualTo(202);
      }
      // Five attempts each (a 3xx is a failure and retried), then a dead letter.
      List<AttemptRecord> attempts =
          await()
              .atMost(Duration.ofSeconds(180))
              .until(
                  () -> f.env.readValues(f.env.topics().attempts()),
                  a ->
                      a.stream().filter(r -> r.outcome() == AttemptOutcome.DEAD_LETTERED).count()
                          == ids.size());
      for (Map.Entry<String, String> e : ids.entrySet()) {
        int code = Integer.parseInt(e.getValue().replaceAll("/redirect-(\\d+)-.*", "$1"));
        List<AttemptRecord> mine =
            attempts.stream()
                .filter(a -> a.endpointId().value().equals(e.getKey()))
                .filter(a -> a.outcome() != AttemptOutcome.DROPPED_ENDPOINT_INACTIVE)
                .toList();
        assertThat(mine)
            .as(e.getValue())
            .hasSize(5)
            .allSatisfy(a -> assertThat(a.status()).isEqualTo(code));
        assertThat(mine)
            .extracting(a -> a.outcome().wireName())
            .containsExactly(
                "retry_scheduled",
                "retry_scheduled",
                "retry_scheduled",
                "retry_scheduled",
                "dead_lettered");
        assertThat(f.receiver.receivedAt(e.getValue())).hasSize(5);
      }
      assertThat(second.received()).as("requests that reached 127.0.0.2").isEmpty();
      assertThat(secondTrap.accepted()).as("connections to 127.0.0.2").isEmpty();
      System.out.printf(
          "SSRF: %d redirects (301, 302, 303, 307, 308 to 127.0.0.2, metadata, http), 5 attempts"
              + " each, none followed, in %.1f s%n",
          ids.size(), (System.nanoTime() - started) / 1e9);
    }
  }

  /** Whether {@code message} names a DNS answer of the URL's host (a fake name's). */
  private static boolean tellsAnswers(String url, String message) {
    String host;
    try {
      host = new URI(url).getHost();
    } catch (URISyntaxException e) {
      return false;
    }
    if (host == null || !FakeNames.inZone(host)) {
      return false;
    }
    return FakeNames.answers(host).stream().anyMatch(a -> message.contains(a.getHostAddress()));
  }

  private static AdminFixture.Answer register(AdminFixture f, String url) throws Exception {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("name", "ssrf probe");
    body.put("url", url);
    body.putArray("event_types").add("*");
    return f.call("POST", "/v1/webhooks", KEY_A, Json.mapper().writeValueAsString(body));
  }

  private static void printTable(Map<String, String> table) {
    StringBuilder b = new StringBuilder("SSRF results (URL | registration | delivery):\n");
    table.forEach(
        (url, result) -> b.append("  ").append(url).append(" | ").append(result).append('\n'));
    System.out.print(b);
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** A listener that accepts, records and closes every connection made to it. */
  static final class Trap implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    Trap(String address, int port) throws IOException {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(address, port));
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    accepted.add(s.getRemoteSocketAddress() + " -> " + s.getLocalSocketAddress());
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "ssrf-trap-" + address);
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    List<String> accepted() {
      return List.copyOf(accepted);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
