package com.flintn.webhooks.dispatcher.consume;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The destination an endpoint URL names, as {@code host:port}: the unit of the per-host limit,
 * since many endpoints (of one account or of many) can point at one receiving service. Parsed once
 * per URL; the cache holds at most {@link #MAX_CACHED} URLs and starts over beyond that. Thread
 * safe.
 */
final class Hosts {
  static final int MAX_CACHED = 100_000;

  private final Map<String, String> byUrl = new ConcurrentHashMap<>();

  String of(String url) {
    String known = byUrl.get(url);
    if (known != null) {
      return known;
    }
    String host = parse(url);
    if (byUrl.size() >= MAX_CACHED) {
      byUrl.clear();
    }
    byUrl.put(url, host);
    return host;
  }

  static String parse(String url) {
    try {
      URI u = URI.create(url);
      String host = u.getHost() == null ? url : u.getHost().toLowerCase(Locale.ROOT);
      int port = u.getPort() >= 0 ? u.getPort() : ("http".equals(u.getScheme()) ? 80 : 443);
      return host + ":" + port;
    } catch (IllegalArgumentException e) {
      return url; // the sender refuses it; the limit only needs a stable key
    }
  }
}
