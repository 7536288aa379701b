package com.flintn.webhooks.common.guard;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Refuses addresses a webhook must never reach (DESIGN §8): loopback, private, link-local (cloud
 * metadata included), CGNAT, multicast, unique-local IPv6, documentation and other reserved ranges.
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the
 * embedded address. Ranges in the allow-list are exempt. Immutable and thread safe.
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
          new Blocked("100::/64", "a discard-only address"),
          new Blocked("2001:db8::/32", "a documentation address"),
          new Blocked("fc00::/7", "a unique-local address"),
          new Blocked("fe80::/10", "a link-local address"),
          new Blocked("fec0::/10", "a site-local address"),
          new Blocked("ff00::/8", "a multicast address"));

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

  /** Why {@code address} must not be reached, or empty if it may. */
  public Optional<String> refusal(InetAddress address) {
    for (Cidr c : allow) {
      if (c.contains(address)) {
        return Optional.empty();
      }
    }
    InetAddress judged = embeddedIpv4(address).orElse(address);
    if (judged != address) {
      for (Cidr c : allow) {
        if (c.contains(judged)) {
          return Optional.empty();
        }
      }
    }
    for (Blocked b : BLOCKED) {
      if (b.range.contains(judged)) {
        return Optional.of(judged.getHostAddress() + " is " + b.why);
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a URL's form: {@code https} scheme, a host, no user info. An IP-literal host is checked
   * against the ranges here; names are checked when they are resolved.
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
      return Optional.of("URLs with user info are not allowed");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      return Optional.of("the URL has no host");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65_535) {
      return Optional.of("the URL's port must be 1-65535");
    }
    Optional<InetAddress> literal = ipLiteral(host);
    if (literal.isPresent()) {
      return refusal(literal.get());
    }
    return Optional.empty();
  }

  /** The address of an IP-literal host (brackets allowed), or empty for a name. */
  static Optional<InetAddress> ipLiteral(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean v4 = h.matches("[0-9.]+") && h.chars().filter(c -> c == '.').count() == 3;
    boolean v6 = h.contains(":") && h.matches("[0-9a-fA-F:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(h));
    } catch (UnknownHostException e) {
      return Optional.empty();
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

  private record Blocked(Cidr range, String why) {
    Blocked(String range, String why) {
      this(Cidr.parse(range), why);
    }
  }
}
