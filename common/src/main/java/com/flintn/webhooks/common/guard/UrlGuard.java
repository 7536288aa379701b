package com.flintn.webhooks.common.guard;

import com.flintn.webhooks.common.message.Printable;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses addresses a webhook must never reach (docs/design.md §8): loopback, private, link-local
 * (cloud metadata included), CGNAT, multicast, unique-local IPv6, documentation and other reserved
 * ranges. IPv6 forms that embed an IPv4 address (mapped, translated, compatible, NAT64, 6to4,
 * Teredo) are judged by the embedded address too. Ranges in the allow-list are exempt. Immutable
 * and thread safe.
 *
 * <p>The dispatcher asks this guard about every address a connection goes to, after DNS, so a name
 * that resolves to a private address (or changes its answer between checks) is refused too.
 */
public final class UrlGuard {
  private static final List<Blocked> BLOCKED =
      List.of(
          new Blocked("0.0.0.0/8", "the unspecified/this-network range"),
          new Blocked("10.0.0.0/8", "a private address"),
          new Blocked("100.64.0.0/10", "a carrier-grade NAT address"),
          new Blocked("127.0.0.0/8", "a loopback address"),
          new Blocked("169.254.0.0/16", "a link-local address (cloud metadata lives here)"),
          new Blocked("172.16.0.0/12", "a private address"),
          new Blocked("192.0.0.0/24", "an IETF protocol assignment"),
          new Blocked("192.0.2.0/24", "a documentation address"),
          new Blocked("192.88.99.0/24", "a 6to4 relay address"),
          new Blocked("192.168.0.0/16", "a private address"),
          new Blocked("198.18.0.0/15", "a benchmarking address"),
          new Blocked("198.51.100.0/24", "a documentation address"),
          new Blocked("203.0.113.0/24", "a documentation address"),
          new Blocked("224.0.0.0/4", "a multicast address"),
          new Blocked("240.0.0.0/4", "a reserved address"),
          new Blocked("::/128", "the unspecified address"),
          new Blocked("::1/128", "a loopback address"),
          new Blocked("64:ff9b:1::/48", "a local-use NAT64 address"),
          new Blocked("100::/64", "a discard-only address"),
          new Blocked("2001:2::/48", "a benchmarking address"),
          new Blocked("2001:db8::/32", "a documentation address"),
          new Blocked("3fff::/20", "a documentation address"),
          new Blocked("fc00::/7", "a unique-local address"),
          new Blocked("fe80::/10", "a link-local address"),
          new Blocked("fec0::/10", "a site-local address"),
          new Blocked("ff00::/8", "a multicast address"));

  /**
   * What a tenant is told when a host name's DNS answers include a blocked address. The answers
   * themselves (and which range each is in) are for the operator's log only: they would tell a
   * tenant about the network webhooks are sent from.
   */
  public static final String BLOCKED_RESOLUTION =
      "the URL's host resolves to an address webhooks may not reach (private, loopback, link-local"
          + " or similar)";

  private static final String USER_INFO = "URLs with user info are not allowed";

  /** An IPv4 address as four decimal numbers without leading zeros: the one unambiguous form. */
  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

  /** Names that mean this machine wherever they are resolved (RFC 6761 and common hosts files). */
  private static final Set<String> LOOPBACK_NAMES =
      Set.of(
          "localhost",
          "localhost.localdomain",
          "localhost4",
          "localhost4.localdomain4",
          "localhost6",
          "localhost6.localdomain6",
          "ip6-localhost",
          "ip6-loopback");

  private static final InetAddress LOOPBACK_V4 = address(new byte[] {127, 0, 0, 1});
  private static final InetAddress LOOPBACK_V6 =
      address(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  private final List<Cidr> allow;

  public UrlGuard(List<Cidr> allow) {
    this.allow = List.copyOf(allow);
  }

  public static UrlGuard strict() {
    return new UrlGuard(List.of());
  }

  public List<Cidr> allowList() {
    return allow;
  }

  /**
   * The ranges refused unless allowed, in order; the dispatchers' NetworkPolicy in deploy/k8s
   * excludes the same ones from their egress.
   */
  public static List<Cidr> blockedRanges() {
    return BLOCKED.stream().map(Blocked::range).toList();
  }

  /**
   * Why {@code address} must not be reached, or empty if it may. An IPv6 address is judged by its
   * own range first, then, if it embeds an IPv4 address (mapped, translated, compatible, NAT64,
   * 6to4, Teredo), by the embedded one. The reason names the address: give it to a tenant only for
   * an address the tenant wrote, never for a DNS answer (see {@link #BLOCKED_RESOLUTION}).
   */
  public Optional<String> refusal(InetAddress address) {
    if (allowed(address)) {
      return Optional.empty();
    }
    Optional<String> own = blocked(address);
    if (own.isPresent()) {
      return Optional.of(address.getHostAddress() + " is " + own.get());
    }
    Optional<InetAddress> embedded = embeddedIpv4(address);
    if (embedded.isPresent() && !allowed(embedded.get())) {
      InetAddress v4 = embedded.get();
      return blocked(v4)
          .map(
              why ->
                  address.getHostAddress()
                      + " embeds "
                      + v4.getHostAddress()
                      + ", which is "
                      + why);
    }
    return Optional.empty();
  }

  private boolean allowed(InetAddress address) {
    for (Cidr c : allow) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** What blocked range {@code address} is in, such as "a private address". */
  private static Optional<String> blocked(InetAddress address) {
    for (Blocked b : BLOCKED) {
      if (b.range.contains(address)) {
        return Optional.of(b.why);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a URL's form: {@code https} scheme, a host, no user info, a port in range, and a host
   * written plainly: an IPv4 address as four decimal numbers, an IPv6 address in brackets without a
   * zone, or an ASCII host name. A host that resolvers read in more than one way (a bare or
   * octal/hex number such as {@code 2130706433} or {@code 0177.0.0.1}, a short form such as {@code
   * 127.1}, a percent-encoded or non-ASCII host) is refused, whatever it would reach. An IP-literal
   * host is checked against the ranges here, and so is a loopback name ({@code localhost}, {@code
   * *.localhost}, {@code localhost.localdomain} and the like, with or without a trailing dot),
   * which always means this machine; other names are checked when they are resolved.
   *
   * @return why the URL is refused, or empty
   */
  public Optional<String> refusal(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("not a valid URL: " + e.getReason());
    }
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("https")) {
      return Optional.of("only https:// URLs are allowed");
    }
    if (uri.getRawUserInfo() != null) {
      return Optional.of(USER_INFO);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      // java.net.URI keeps an authority it cannot read as host[:port] whole; other parsers
      // (OkHttp's among them) may still find a host in it, so it is refused with the reason.
      return Optional.of(unreadableHost(uri.getRawAuthority()));
    }
    if (uri.getPort() == 0 || uri.getPort() > 65_535) {
      return Optional.of("the URL's port must be 1-65535");
    }
    if (host.startsWith("[")) {
      Optional<InetAddress> v6 = ipv6Literal(host);
      if (v6.isEmpty()) {
        return Optional.of(
            Printable.quote(host)
                + " is not a plain IPv6 address (zone ids such as %25eth0 are not accepted)");
      }
      return refusal(v6.get());
    }
    String name = withoutTrailingDot(host);
    if (endsInNumber(name)) {
      if (!DOTTED_QUAD.matcher(host).matches()) {
        return Optional.of(notFourNumbers(host));
      }
      return refusal(ipv4Literal(host));
    }
    if (isLoopbackName(name)
        && refusal(LOOPBACK_V4).isPresent()
        && refusal(LOOPBACK_V6).isPresent()) {
      return Optional.of(
          host + " resolves to this machine: it is a loopback name, like 127.0.0.1 and ::1");
    }
    return Optional.empty();
  }

  /** Whether {@code name} (without a trailing dot) always means this machine (RFC 6761). */
  static boolean isLoopbackName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return LOOPBACK_NAMES.contains(n) || n.endsWith(".localhost");
  }

  /**
   * Whether the last label of a host is a number (decimal, or hex with {@code 0x}): such a host is
   * an IPv4 address to URL parsers and resolvers, so it must be written as four decimal numbers.
   */
  static boolean endsInNumber(String name) {
    int dot = name.lastIndexOf('.');
    String last = name.substring(dot + 1);
    return last.matches("[0-9]+|0[xX][0-9a-fA-F]*");
  }

  private static String withoutTrailingDot(String host) {
    return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
  }

  private static String notFourNumbers(String host) {
    return "write an IPv4 host as four decimal numbers (such as 203.0.113.7), not "
        + Printable.quote(host);
  }

  /** Why an authority that has no readable host is refused. */
  private static String unreadableHost(String authority) {
    if (authority == null || authority.isEmpty()) {
      return "the URL has no host";
    }
    if (authority.contains("@")) {
      return USER_INFO;
    }
    String host = authority;
    if (!host.startsWith("[")) {
      int colon = host.lastIndexOf(':');
      host = colon >= 0 ? host.substring(0, colon) : host;
    }
    if (host.contains("%")) {
      return "the host must not be percent-encoded: " + Printable.quote(host);
    }
    if (host.chars().anyMatch(c -> c > 0x7e)) {
      return "write the host in ASCII (an internationalized name in its xn-- form), not "
          + Printable.quote(host);
    }
    if (endsInNumber(withoutTrailingDot(host))) {
      return notFourNumbers(host);
    }
    return Printable.quote(host) + " is not a valid host name";
  }

  private static Optional<InetAddress> ipv6Literal(String bracketed) {
    if (!bracketed.startsWith("[") || !bracketed.endsWith("]")) {
      return Optional.empty();
    }
    String h = bracketed.substring(1, bracketed.length() - 1);
    if (!h.contains(":") || !h.matches("[0-9a-fA-F:.]+")) {
      return Optional.empty(); // a zone id, or not an address at all
    }
    try {
      return Optional.of(InetAddress.getByName(h)); // a literal: no lookup
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static InetAddress ipv4Literal(String dottedQuad) {
    String[] parts = dottedQuad.split("\\.", -1);
    byte[] b = new byte[4];
    for (int i = 0; i < 4; i++) {
      b[i] = (byte) Integer.parseInt(parts[i]);
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // four bytes are always an address
    }
  }

  private static Optional<InetAddress> embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] a = address.getAddress();
    boolean zero80 = true;
    for (int i = 0; i < 10; i++) {
      zero80 &= a[i] == 0;
    }
    // ::ffff:a.b.c.d (mapped; the JDK usually converts these already) and ::a.b.c.d (compatible)
    if (zero80 && ((a[10] == (byte) 0xff && a[11] == (byte) 0xff) || (a[10] == 0 && a[11] == 0))) {
      return v4(a, 12);
    }
    // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
    boolean zero64 = true;
    for (int i = 0; i < 8; i++) {
      zero64 &= a[i] == 0;
    }
    if (zero64 && a[8] == (byte) 0xff && a[9] == (byte) 0xff && a[10] == 0 && a[11] == 0) {
      return v4(a, 12);
    }
    // 64:ff9b::/96 NAT64
    if (a[0] == 0 && a[1] == 0x64 && a[2] == (byte) 0xff && a[3] == (byte) 0x9b) {
      return v4(a, 12);
    }
    // 2002::/16 6to4: the IPv4 address is in bytes 2..5
    if (a[0] == 0x20 && a[1] == 0x02) {
      return v4(a, 2);
    }
    // 2001:0::/32 Teredo: the client's IPv4 address is the last 4 bytes, inverted
    if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0) {
      byte[] inv = new byte[4];
      for (int i = 0; i < 4; i++) {
        inv[i] = (byte) ~a[12 + i];
      }
      return v4(inv, 0);
    }
    return Optional.empty();
  }

  private static Optional<InetAddress> v4(byte[] a, int from) {
    try {
      return Optional.of(
          Inet4Address.getByAddress(new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]}));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Blocked(Cidr range, String why) {
    Blocked(String range, String why) {
      this(Cidr.parse(range), why);
    }
  }
}
