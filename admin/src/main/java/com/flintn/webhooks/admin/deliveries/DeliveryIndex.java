package com.flintn.webhooks.admin.deliveries;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.EndpointId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Every delivery attempt of {@code webhooks.attempts} the admin has read, searchable by event id
 * (one hash probe) and, per account, by status, event type, endpoint and time, newest first
 * (docs/design.md §11, "Delivery search"). A delivery is one event for one endpoint; its status is
 * derived from its latest record.
 *
 * <p>Compact: each attempt is a fixed row of primitives (26 bytes), each delivery another (29
 * bytes), each event id is kept once as ASCII bytes in an arena, and endpoint ids, account ids,
 * event types and error kinds are dictionary-coded. At {@code maxAttempts} rows the oldest
 * deliveries, a quarter of the rows or more, are dropped whole by rebuilding the index from the
 * rest; {@link Stats#droppedAttempts()} counts them and {@link Stats#oldestAttemptAt()} says how
 * far back the index reaches.
 *
 * <p>Thread safe: guarded by {@code this}.
 */
public final class DeliveryIndex {
  /** Attempts shown per delivery at most, the newest; {@link Found#attemptCount()} counts all. */
  public static final int MAX_ATTEMPTS_SHOWN = 25;

  /** Deliveries one search looks at, matching or not, before it answers with a cursor. */
  public static final int SCAN_BUDGET = 200_000;

  /** What became of a delivery, from its latest record. */
  public enum Status {
    /** The latest attempt was answered with a 2xx. */
    DELIVERED,
    /** The latest attempt failed and a retry is scheduled. */
    FAILING,
    /** Given up: the attempts are exhausted, the endpoint refused it, or its URL is unsafe. */
    DEAD_LETTERED,
    /** Deferred while its endpoint was busy, with no failed attempt since it was last resolved. */
    PENDING,
    /** Not attempted: the endpoint was disabled or revoked. */
    DROPPED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Status> byWireName(String s) {
      for (Status v : values()) {
        if (v.wireName().equals(s)) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }

    static Status after(Status current, AttemptOutcome o) {
      return switch (o) {
        case DELIVERED -> DELIVERED;
        case RETRY_SCHEDULED -> FAILING;
        case DEAD_LETTERED, REJECTED_UNSAFE_URL -> DEAD_LETTERED;
        case DROPPED_ENDPOINT_INACTIVE -> DROPPED;
        case DEFERRED_ENDPOINT_BUSY -> current == FAILING ? FAILING : PENDING;
      };
    }
  }

  /** One attempt (or recorded non-attempt) of a delivery. */
  public record Attempt(
      int attempt,
      Instant startedAt,
      long durationMs,
      @Nullable Integer httpStatus,
      @Nullable String error,
      AttemptOutcome outcome) {}

  /**
   * One delivery found.
   *
   * @param attempts oldest first; the newest {@value #MAX_ATTEMPTS_SHOWN} at most
   */
  public record Found(
      String eventId,
      @Nullable String eventType,
      String endpointId,
      Status status,
      Instant firstAttemptAt,
      Instant lastAttemptAt,
      int attemptCount,
      List<Attempt> attempts) {}

  /**
   * A search of one account's deliveries; every filter but the account is optional (null).
   *
   * @param since deliveries first attempted at or after this time
   * @param until deliveries first attempted before this time
   */
  public record Query(
      AccountId account,
      @Nullable String eventId,
      @Nullable Status status,
      @Nullable String eventType,
      @Nullable EndpointId endpoint,
      @Nullable Instant since,
      @Nullable Instant until,
      int limit,
      @Nullable Cursor after) {}

  /**
   * A position in the newest-first order: the first attempt time of a delivery and its number.
   * Stays valid while the index drops old deliveries.
   */
  public record Cursor(long firstAtMillis, long number) {
    public String text() {
      return "c1." + firstAtMillis + "." + number;
    }

    /**
     * @throws IllegalArgumentException if {@code text} is not a cursor {@link #text()} made
     */
    public static Cursor parse(String text) {
      String[] p = text.split("\\.", -1);
      if (p.length == 3 && p[0].equals("c1")) {
        try {
          long at = Long.parseLong(p[1]);
          long n = Long.parseLong(p[2]);
          if (n >= 0) {
            return new Cursor(at, n);
          }
        } catch (NumberFormatException e) {
          // answered below
        }
      }
      throw new IllegalArgumentException(
          "is not a cursor this API returned; pass next_cursor of the previous page as it is");
    }
  }

  /**
   * A page of results, newest first.
   *
   * @param next where the next page starts, or null when there is no more
   */
  public record Page(List<Found> data, @Nullable Cursor next, int scanned) {}

  /**
   * The size of the index.
   *
   * @param bytes heap the index's columns, arena, table and orders take, allocated chunks counted
   * @param oldestAttemptAt the start time of the oldest attempt held, or null if none
   */
  public record Stats(
      long attempts,
      long deliveries,
      long events,
      long bytes,
      long droppedAttempts,
      long skippedRecords,
      @Nullable Instant oldestAttemptAt) {}

  private static final Status[] STATUSES = Status.values();
  private static final AttemptOutcome[] OUTCOMES = AttemptOutcome.values();
  private static final int MAX_ERROR_KINDS = 1000;

  private final int maxAttempts;
  private final Dictionary endpoints = new Dictionary();
  private final Columns.Ints endpointAccount = new Columns.Ints();
  private final Dictionary accounts = new Dictionary();
  private final Dictionary types = new Dictionary();
  private final Dictionary errors = new Dictionary();
  private Store store = new Store();
  private long base; // the number of the store's delivery 0
  private long droppedAttempts;
  private long skipped;

  /**
   * @param maxAttempts attempts held at most; at this bound the oldest deliveries are dropped
   */
  public DeliveryIndex(int maxAttempts) {
    if (maxAttempts < 4) {
      throw new IllegalArgumentException("maxAttempts must be at least 4");
    }
    this.maxAttempts = maxAttempts;
    errors.code(""); // code 0: no error
    types.code(""); // code 0: no type
  }

  /** Adds one attempt record; records read in the topic's order, per partition. */
  public synchronized void add(AttemptRecord a) {
    if (a.accountId() == null) {
      skipped++;
      return;
    }
    int account = accounts.code(a.accountId().value());
    int known = endpoints.size();
    int endpoint = endpoints.code(a.endpointId().value());
    if (endpoint == known) {
      endpointAccount.set(endpoint, account);
    } else if (endpointAccount.get(endpoint) != account) {
      skipped++; // an endpoint belongs to one account: never show it to another
      return;
    }
    if (store.rows >= maxAttempts) {
      compact();
    }
    String error = a.error();
    int errorCode =
        error == null || error.isEmpty()
            ? 0
            : errors.size() < MAX_ERROR_KINDS || errors.has(error)
                ? errors.code(error)
                : errors.code("other");
    store.add(
        ascii(a.eventId().value()),
        endpoint,
        account,
        a.eventType() == null ? 0 : types.code(a.eventType()),
        a.startedAt().toEpochMilli(),
        (int) Math.min(Integer.MAX_VALUE, Math.max(0, a.durationMs())),
        a.status() == null ? 0 : (short) Math.max(0, Math.min(Short.MAX_VALUE, a.status())),
        (short) errorCode,
        a.outcome(),
        Math.max(0, Math.min(127, a.attempt())));
  }

  /** Counts a record that could not be read. */
  public synchronized void skip() {
    skipped++;
  }

  public synchronized Stats stats() {
    Store s = store;
    return new Stats(
        s.rows,
        s.deliveries,
        s.events,
        s.bytes(),
        droppedAttempts,
        skipped,
        s.rows == 0 ? null : Instant.ofEpochMilli(s.oldest));
  }

  /** One page of {@code q}'s deliveries, newest first by first attempt. */
  public synchronized Page search(Query q) {
    int account = accounts.find(q.account().value());
    int endpoint = q.endpoint() == null ? -2 : endpoints.find(q.endpoint().value());
    int type = q.eventType() == null ? -2 : types.find(q.eventType());
    if (account < 0 || endpoint == -1 || type == -1) {
      return new Page(List.of(), null, 0);
    }
    Filter f =
        new Filter(
            account,
            endpoint,
            type,
            q.status() == null ? -1 : q.status().ordinal(),
            q.since() == null ? Long.MIN_VALUE : q.since().toEpochMilli(),
            q.until() == null ? Long.MAX_VALUE : q.until().toEpochMilli());
    String eventId = q.eventId();
    return eventId != null ? byEvent(q, eventId, f) : scan(q, f);
  }

  private record Filter(
      int account, int endpoint, int type, int status, long sinceMillis, long untilMillis) {}

  private boolean matches(int d, Filter f) {
    Store s = store;
    int ep = s.dEndpoint.get(d);
    if (endpointAccount.get(ep) != f.account()) {
      return false;
    }
    if (f.endpoint() >= 0 && ep != f.endpoint()) {
      return false;
    }
    if (f.type() >= 0 && s.dType.get(d) != f.type()) {
      return false;
    }
    if (f.status() >= 0 && s.dStatus.get(d) != f.status()) {
      return false;
    }
    long at = s.dFirstAt.get(d);
    return at >= f.sinceMillis() && at < f.untilMillis();
  }

  private Page byEvent(Query q, String eventId, Filter f) {
    Store s = store;
    int ev = s.findEvent(ascii(eventId));
    List<Integer> hits = new ArrayList<>();
    int scanned = 0;
    for (int d = ev < 0 ? -1 : s.eHead.get(ev); d >= 0; d = s.dNextSameEvent.get(d)) {
      scanned++;
      if (matches(d, f) && (q.after() == null || below(d, q.after()))) {
        hits.add(d);
      }
    }
    hits.sort((a, b) -> compare(b, a));
    List<Found> out = new ArrayList<>();
    Cursor next = null;
    for (int i = 0; i < hits.size() && i < q.limit(); i++) {
      out.add(found(hits.get(i)));
      if (i == q.limit() - 1 && hits.size() > q.limit()) {
        next = cursor(hits.get(i));
      }
    }
    return new Page(out, next, scanned);
  }

  private Page scan(Query q, Filter f) {
    Store s = store;
    Order order = s.order(f.account());
    order.ensureSorted(s.dFirstAt);
    int i;
    if (q.after() != null) {
      i = order.lastBelow(s.dFirstAt, q.after().firstAtMillis(), q.after().number() - base) - 1;
    } else if (q.until() != null) {
      i = order.lastBelow(s.dFirstAt, f.untilMillis(), Long.MIN_VALUE) - 1;
    } else {
      i = order.n - 1;
    }
    List<Found> out = new ArrayList<>();
    Cursor next = null;
    int scanned = 0;
    for (; i >= 0; i--) {
      int d = order.sorted[i];
      if (s.dFirstAt.get(d) < f.sinceMillis()) {
        break;
      }
      if (scanned == SCAN_BUDGET) {
        next = cursor(order.sorted[i + 1]);
        break;
      }
      scanned++;
      if (matches(d, f)) {
        if (out.size() == q.limit()) {
          next = cursor(order.sorted[i + 1]); // one more exists: the next page starts here
          break;
        }
        out.add(found(d));
      }
    }
    return new Page(out, next, scanned);
  }

  /** Whether delivery {@code d} comes after {@code c} in the newest-first order. */
  private boolean below(int d, Cursor c) {
    long at = store.dFirstAt.get(d);
    return at < c.firstAtMillis() || (at == c.firstAtMillis() && base + d < c.number());
  }

  private int compare(int a, int b) {
    int c = Long.compare(store.dFirstAt.get(a), store.dFirstAt.get(b));
    return c != 0 ? c : Integer.compare(a, b);
  }

  private Cursor cursor(int d) {
    return new Cursor(store.dFirstAt.get(d), base + d);
  }

  private Found found(int d) {
    Store s = store;
    List<Attempt> attempts = new ArrayList<>();
    int count = 0;
    for (int r = s.dLast.get(d); r >= 0; r = s.rowPrev.get(r)) {
      if (count++ < MAX_ATTEMPTS_SHOWN) {
        int http = s.rowHttp.get(r);
        int error = s.rowError.get(r);
        attempts.add(
            new Attempt(
                s.rowAttempt.get(r),
                Instant.ofEpochMilli(s.rowStarted.get(r)),
                s.rowDuration.get(r),
                http == 0 ? null : http,
                error == 0 ? null : errors.name(error),
                OUTCOMES[s.rowOutcome.get(r)]));
      }
    }
    java.util.Collections.reverse(attempts);
    int type = s.dType.get(d);
    return new Found(
        s.arena.get(s.eOffset.get(s.dEvent.get(d))),
        type == 0 ? null : types.name(type),
        endpoints.name(s.dEndpoint.get(d)),
        STATUSES[s.dStatus.get(d)],
        Instant.ofEpochMilli(s.dFirstAt.get(d)),
        Instant.ofEpochMilli(s.rowStarted.get(s.dLast.get(d))),
        count,
        attempts);
  }

  /**
   * Drops the oldest deliveries, whole, until at least a quarter of the rows go, by adding the
   * remaining rows to a new store in their order: deliveries keep their order and numbers.
   */
  private void compact() {
    Store old = store;
    int[] rowsOf = new int[old.deliveries];
    for (int r = 0; r < old.rows; r++) {
      rowsOf[old.rowDelivery.get(r)]++;
    }
    int cut = 0;
    long freed = 0;
    while (cut < old.deliveries && freed < old.rows / 4) {
      freed += rowsOf[cut++];
    }
    Store s = new Store();
    for (int r = 0; r < old.rows; r++) {
      int d = old.rowDelivery.get(r);
      if (d < cut) {
        continue;
      }
      s.add(
          old.arena.bytes(old.eOffset.get(old.dEvent.get(d))),
          old.dEndpoint.get(d),
          endpointAccount.get(old.dEndpoint.get(d)),
          old.dType.get(d),
          old.rowStarted.get(r),
          old.rowDuration.get(r),
          old.rowHttp.get(r),
          old.rowError.get(r),
          OUTCOMES[old.rowOutcome.get(r)],
          old.rowAttempt.get(r));
    }
    store = s;
    base += cut;
    droppedAttempts += freed;
  }

  static byte[] ascii(String id) {
    return id.getBytes(StandardCharsets.US_ASCII); // ids are letters, digits, '_' and '-'
  }

  /** The columns of one generation of the index. Not thread safe. */
  private static final class Store {
    // attempts, in the order read
    int rows;
    long oldest = Long.MAX_VALUE;
    final Columns.Ints rowDelivery = new Columns.Ints();
    final Columns.Ints rowPrev = new Columns.Ints();
    final Columns.Longs rowStarted = new Columns.Longs();
    final Columns.Ints rowDuration = new Columns.Ints();
    final Columns.Shorts rowHttp = new Columns.Shorts();
    final Columns.Shorts rowError = new Columns.Shorts();
    final Columns.Bytes rowOutcome = new Columns.Bytes();
    final Columns.Bytes rowAttempt = new Columns.Bytes();
    // deliveries, in the order of their first attempt read
    int deliveries;
    final Columns.Ints dEvent = new Columns.Ints();
    final Columns.Ints dEndpoint = new Columns.Ints();
    final Columns.Ints dType = new Columns.Ints();
    final Columns.Ints dLast = new Columns.Ints();
    final Columns.Ints dNextSameEvent = new Columns.Ints();
    final Columns.Longs dFirstAt = new Columns.Longs();
    final Columns.Bytes dStatus = new Columns.Bytes();
    // events: id in the arena, the newest delivery of the event
    int events;
    final Columns.Ints eOffset = new Columns.Ints();
    final Columns.Ints eHead = new Columns.Ints();
    final Columns.Arena arena = new Columns.Arena();
    int[] table = new int[1 << 10]; // event + 1, open addressing, linear probing
    // deliveries of each account, by account code
    final List<Order> orders = new ArrayList<>();

    Order order(int account) {
      while (orders.size() <= account) {
        orders.add(new Order());
      }
      return orders.get(account);
    }

    void add(
        byte[] event,
        int endpoint,
        int account,
        int type,
        long startedAt,
        int durationMs,
        short http,
        short error,
        AttemptOutcome outcome,
        int attempt) {
      int ev = findEvent(event);
      if (ev < 0) {
        ev = events++;
        eOffset.set(ev, arena.add(event));
        eHead.set(ev, -1);
        insert(ev, Columns.hash(event, 0, event.length));
      }
      int d = eHead.get(ev);
      while (d >= 0 && dEndpoint.get(d) != endpoint) {
        d = dNextSameEvent.get(d);
      }
      if (d < 0) {
        d = deliveries++;
        dEvent.set(d, ev);
        dEndpoint.set(d, endpoint);
        dType.set(d, type);
        dLast.set(d, -1);
        dNextSameEvent.set(d, eHead.get(ev));
        dFirstAt.set(d, startedAt);
        dStatus.set(d, (byte) Status.PENDING.ordinal());
        eHead.set(ev, d);
        order(account).add(d);
      }
      int r = rows++;
      oldest = Math.min(oldest, startedAt);
      rowDelivery.set(r, d);
      rowPrev.set(r, dLast.get(d));
      rowStarted.set(r, startedAt);
      rowDuration.set(r, durationMs);
      rowHttp.set(r, http);
      rowError.set(r, error);
      rowOutcome.set(r, (byte) outcome.ordinal());
      rowAttempt.set(r, (byte) attempt);
      dLast.set(d, r);
      dStatus.set(d, (byte) Status.after(STATUSES[dStatus.get(d)], outcome).ordinal());
    }

    int findEvent(byte[] id) {
      int mask = table.length - 1;
      for (int i = Columns.hash(id, 0, id.length) & mask; ; i = (i + 1) & mask) {
        int e = table[i] - 1;
        if (e < 0) {
          return -1;
        }
        if (arena.equalsAt(eOffset.get(e), id)) {
          return e;
        }
      }
    }

    private void insert(int ev, int hash) {
      if (events * 2 > table.length) {
        int[] old = table;
        table = new int[old.length * 2];
        for (int e : old) {
          if (e > 0) {
            place(e - 1, arena.hashAt(eOffset.get(e - 1)));
          }
        }
      }
      place(ev, hash);
    }

    private void place(int ev, int hash) {
      int mask = table.length - 1;
      int i = hash & mask;
      while (table[i] != 0) {
        i = (i + 1) & mask;
      }
      table[i] = ev + 1;
    }

    long bytes() {
      long b =
          rowDelivery.bytes(rows)
              + rowPrev.bytes(rows)
              + rowStarted.bytes(rows)
              + rowDuration.bytes(rows)
              + rowHttp.bytes(rows)
              + rowError.bytes(rows)
              + rowOutcome.bytes(rows)
              + rowAttempt.bytes(rows);
      b +=
          dEvent.bytes(deliveries)
              + dEndpoint.bytes(deliveries)
              + dType.bytes(deliveries)
              + dLast.bytes(deliveries)
              + dNextSameEvent.bytes(deliveries)
              + dFirstAt.bytes(deliveries)
              + dStatus.bytes(deliveries);
      b += eOffset.bytes(events) + eHead.bytes(events) + arena.bytes() + 4L * table.length;
      for (Order o : orders) {
        b += 4L * (o.sorted.length + o.pending.length);
      }
      return b;
    }
  }

  /**
   * One account's deliveries in order of first attempt (then of number): a sorted part, and the
   * deliveries added since the last search, sorted into it when the next search comes.
   */
  private static final class Order {
    int[] sorted = new int[4];
    int n;
    int[] pending = new int[4];
    int pn;

    void add(int d) {
      if (pn == pending.length) {
        pending = java.util.Arrays.copyOf(pending, pn * 2);
      }
      pending[pn++] = d;
    }

    void ensureSorted(Columns.Longs at) {
      if (pn == 0) {
        return;
      }
      sort(pending, pn, at); // stable: equal times stay in order of number
      if (n + pn > sorted.length) {
        sorted = java.util.Arrays.copyOf(sorted, Math.max(n + pn, sorted.length * 3 / 2));
      }
      if (n == 0 || !less(pending[0], sorted[n - 1], at)) {
        System.arraycopy(pending, 0, sorted, n, pn); // the usual case: all newer
      } else {
        int[] merged = new int[sorted.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < n && j < pn) {
          merged[k++] = less(pending[j], sorted[i], at) ? pending[j++] : sorted[i++];
        }
        while (i < n) {
          merged[k++] = sorted[i++];
        }
        while (j < pn) {
          merged[k++] = pending[j++];
        }
        sorted = merged;
      }
      n += pn;
      pn = 0;
      if (pending.length > 1024) {
        pending = new int[1024];
      }
    }

    /** The position of the first delivery at or after ({@code atMillis}, {@code local}). */
    int lastBelow(Columns.Longs at, long atMillis, long local) {
      int lo = 0;
      int hi = n;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        int d = sorted[mid];
        long t = at.get(d);
        if (t < atMillis || (t == atMillis && d < local)) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    private static boolean less(int a, int b, Columns.Longs at) {
      long ta = at.get(a);
      long tb = at.get(b);
      return ta < tb || (ta == tb && a < b);
    }

    /** Stable merge sort of {@code a[0..n)} by time. */
    // The merge sort swaps two buffers; which one holds the result is a question of identity.
    @SuppressWarnings("ReferenceEquality")
    private static void sort(int[] a, int n, Columns.Longs at) {
      boolean inOrder = true;
      for (int i = 1; i < n && inOrder; i++) {
        inOrder = !less(a[i], a[i - 1], at);
      }
      if (inOrder) {
        return;
      }
      int[] src = a;
      int[] dst = new int[n];
      for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
          int mid = Math.min(lo + width, n);
          int hi = Math.min(lo + 2 * width, n);
          int i = lo;
          int j = mid;
          int k = lo;
          while (i < mid && j < hi) {
            dst[k++] = less(src[j], src[i], at) ? src[j++] : src[i++];
          }
          while (i < mid) {
            dst[k++] = src[i++];
          }
          while (j < hi) {
            dst[k++] = src[j++];
          }
        }
        int[] t = src;
        src = dst;
        dst = t;
      }
      if (src != a) {
        System.arraycopy(src, 0, a, 0, n);
      }
    }
  }

  /** Strings to dense codes and back. */
  private static final class Dictionary {
    private final Map<String, Integer> codes = new HashMap<>();
    private final List<String> names = new ArrayList<>();

    int code(String s) {
      Integer c = codes.get(s);
      if (c == null) {
        c = names.size();
        codes.put(s, c);
        names.add(s);
      }
      return c;
    }

    /** The code of {@code s}, or -1. */
    int find(String s) {
      Integer c = codes.get(s);
      return c == null ? -1 : c;
    }

    boolean has(String s) {
      return codes.containsKey(s);
    }

    String name(int code) {
      return names.get(code);
    }

    int size() {
      return names.size();
    }
  }
}
