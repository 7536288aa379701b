package com.flintn.webhooks.common.eventtype;

import com.flintn.webhooks.common.message.Endpoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks the event types of a subscription against the catalogue, with a "did you mean" for a typo:
 * the catalogue's name closest to what was typed by edit distance (insertions, deletions,
 * substitutions and swaps of adjacent characters), if it is close enough to be a typo of it. Pure
 * logic; thread safe.
 */
public final class EventTypeNames {
  private EventTypeNames() {}

  /** A requested type the catalogue does not hold, with the name it most likely meant. */
  public record Unknown(String name, Optional<String> suggestion) {}

  /**
   * The types of {@code requested} that are neither {@code *} nor in {@code known} nor in {@code
   * alreadySubscribed} (a type removed from the catalogue stays allowed where it was subscribed),
   * in request order. Nothing is unknown when the catalogue is empty: a fresh install that has not
   * described its types accepts any well-formed name.
   */
  public static List<Unknown> unknown(
      Collection<String> requested, Set<String> known, Collection<String> alreadySubscribed) {
    List<Unknown> unknown = new ArrayList<>();
    if (known.isEmpty()) {
      return unknown;
    }
    for (String type : requested) {
      if (type.equals(Endpoint.ALL_EVENT_TYPES)
          || known.contains(type)
          || alreadySubscribed.contains(type)) {
        continue;
      }
      unknown.add(new Unknown(type, suggestion(type, known)));
    }
    return unknown;
  }

  /**
   * The name of {@code known} closest to {@code typed}, if within {@link #maxDistance} of it; ties
   * go to the alphabetically first name.
   */
  public static Optional<String> suggestion(String typed, Collection<String> known) {
    int limit = maxDistance(typed);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      if (Math.abs(k.length() - typed.length()) > limit) {
        continue;
      }
      int d =
          distance(typed.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
      if (d <= limit && (d < bestDistance || (d == bestDistance && k.compareTo(best) < 0))) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * How many edits still read as a typo of a name as long as {@code typed}: one per four
   * characters, at least 1 and at most 3 ({@code ordr.created} is one edit from {@code
   * order.created}; {@code user.deleted} is not a typo of {@code order.created}).
   */
  static int maxDistance(String typed) {
    return Math.max(1, Math.min(3, typed.length() / 4));
  }

  /**
   * The optimal string alignment distance between {@code a} and {@code b}: the fewest insertions,
   * deletions, substitutions and swaps of two adjacent characters that turn one into the other.
   */
  public static int distance(String a, String b) {
    int n = a.length();
    int m = b.length();
    int[][] d = new int[n + 1][m + 1];
    for (int i = 0; i <= n; i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= m; j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= n; i++) {
      for (int j = 1; j <= m; j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          v = Math.min(v, d[i - 2][j - 2] + 1);
        }
        d[i][j] = v;
      }
    }
    return d[n][m];
  }
}
