package com.flintn.webhooks.testkit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolver.LookupPolicy;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * DNS for tests, installed as the JDK's resolver by a module that lists it in its test resources'
 * {@code META-INF/services/java.net.spi.InetAddressResolverProvider}: names under {@value #ZONE}
 * answer from a table the tests fill, every other name goes to the JDK's own resolver. It serves
 * {@link InetAddress}, so it answers both the admin API's registration check and the dispatcher's
 * OkHttp lookups, which is how a name that resolves to private space, or whose answer changes after
 * registration, is tested end to end without any real DNS.
 */
public final class FakeNames extends InetAddressResolverProvider {
  public static final String ZONE = "ssrf.flintn.test";

  private static final Map<String, List<InetAddress>> ANSWERS = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> LOOKUPS = new ConcurrentHashMap<>();

  /** From now on {@code name} (under {@value #ZONE}) resolves to {@code literals}. */
  public static void answer(String name, String... literals) {
    List<InetAddress> list = new ArrayList<>();
    for (String l : literals) {
      if (!l.matches("[0-9a-fA-F:.]+")) {
        throw new IllegalArgumentException("an IP literal, not " + l);
      }
      try {
        list.add(InetAddress.getByName(l)); // a literal: parsed, never looked up
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(l, e);
      }
    }
    ANSWERS.put(key(name), List.copyOf(list));
  }

  public static List<InetAddress> answers(String name) {
    return ANSWERS.getOrDefault(key(name), List.of());
  }

  /** How often {@code name} was looked up through this resolver. */
  public static int lookups(String name) {
    AtomicInteger n = LOOKUPS.get(key(name));
    return n == null ? 0 : n.get();
  }

  public static boolean inZone(String host) {
    return key(host).endsWith("." + ZONE);
  }

  private static String key(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtin = configuration.builtinResolver();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
          throws UnknownHostException {
        if (!inZone(host)) {
          return builtin.lookupByName(host, policy);
        }
        LOOKUPS.computeIfAbsent(key(host), k -> new AtomicInteger()).incrementAndGet();
        boolean v4 = (policy.characteristics() & LookupPolicy.IPV4) != 0;
        boolean v6 = (policy.characteristics() & LookupPolicy.IPV6) != 0;
        List<InetAddress> found =
            answers(host).stream()
                .filter(a -> (a instanceof Inet4Address && v4) || (a instanceof Inet6Address && v6))
                .toList();
        if (found.isEmpty()) {
          throw new UnknownHostException(host);
        }
        return found.stream();
      }

      @Override
      public String lookupByAddress(byte[] addr) throws UnknownHostException {
        return builtin.lookupByAddress(addr);
      }
    };
  }

  @Override
  public String name() {
    return "flintn test names";
  }
}
