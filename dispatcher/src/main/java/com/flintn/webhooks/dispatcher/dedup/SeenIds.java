package com.flintn.webhooks.dispatcher.dedup;

/**
 * The event ids first seen in one partition of the events topic within the de-duplication window
 * (docs/design.md §6.7): an open-addressing hash set of 64-bit id hashes, each with when it was
 * first seen (seconds) and the low 32 bits of the offset it was first seen at, in two primitive
 * arrays: 16 bytes a slot, filled to at most three quarters, so 21 to 43 bytes an id. Ids older
 * than the window are dropped when the table fills up, before it grows; until then they are only
 * ignored. It holds at most {@code maxIds}: when the window holds more, the oldest are forgotten
 * before the window ends ({@link #forgotten()}), so memory stays bounded whatever the rate. Not
 * thread safe: the poll thread owns it.
 */
final class SeenIds {
  /** What {@link #firstSeen} answers when the id is new (or its first sighting expired). */
  static final long NEW = Long.MIN_VALUE;

  private static final int MIN_CAPACITY = 1024;

  /** Buckets of the histogram that finds which ids to forget when there are too many. */
  private static final int AGE_BUCKETS = 4096;

  private final long windowMillis;
  private final int maxIds;
  private final int maxCapacity;
  private long[] hashes;
  private long[] meta; // first-seen second (high 32 bits, unsigned) | offset's low 32 bits
  private int size;
  private long forgotten;
  private long keptFromSecond = Long.MIN_VALUE;

  SeenIds(java.time.Duration window, int maxIds) {
    this.windowMillis = window.toMillis();
    this.maxIds = maxIds;
    int c = MIN_CAPACITY;
    while ((long) c / 4 * 3 < (long) maxIds + 1 && c < (1 << 30)) {
      c *= 2;
    }
    this.maxCapacity = c;
    allocate(MIN_CAPACITY);
  }

  /**
   * Looks {@code hash} up as of {@code nowMillis}. If it was first seen within the window, returns
   * that sighting's offset (its low 32 bits, as an int widened to long; equal to {@code (int)
   * offset} when this is the same record read again); otherwise remembers it as first seen now at
   * {@code offset} and returns {@link #NEW}.
   */
  long firstSeen(long hash, long offset, long nowMillis) {
    long h = nonZero(hash);
    long cutoffSecond = cutoffSecond(nowMillis);
    int slot = find(h);
    if (hashes[slot] == h) {
      long m = meta[slot];
      if ((m >>> 32) >= cutoffSecond) {
        return (int) m;
      }
      meta[slot] = pack(nowMillis, offset); // seen again after the window: first sighting anew
      return NEW;
    }
    if (full()) {
      rebuild(nowMillis);
      slot = find(h);
    }
    hashes[slot] = h;
    meta[slot] = pack(nowMillis, offset);
    size++;
    return NEW;
  }

  /**
   * Remembers a sighting read back from the seen-ids topic; a later one of the same id (read later)
   * replaces an earlier one. Sightings older than the window as of {@code nowMillis} are skipped.
   */
  void restore(long hash, long offset, long seenAtMillis, long nowMillis) {
    if (Math.floorDiv(seenAtMillis, 1000) < cutoffSecond(nowMillis)) {
      return;
    }
    long h = nonZero(hash);
    int slot = find(h);
    if (hashes[slot] != h) {
      if (full()) {
        rebuild(nowMillis);
        slot = find(h);
      }
      hashes[slot] = h;
      size++;
    }
    meta[slot] = pack(seenAtMillis, offset);
  }

  /** Ids held, expired ones not yet dropped included. */
  int size() {
    return size;
  }

  /** Ids forgotten before their window ended, because the window held more than {@code maxIds}. */
  long forgotten() {
    return forgotten;
  }

  /**
   * The first second whose ids are still held when ids were forgotten early (the window is shorter
   * than configured from there back); {@link Long#MIN_VALUE} if none ever was.
   */
  long keptFromSecond() {
    return keptFromSecond;
  }

  /** Bytes of the table. */
  long bytes() {
    return 16L * hashes.length;
  }

  /**
   * The first second still inside the window: a sighting in an earlier second is older than the
   * window (a second's sightings expire together, at most one second late, never early).
   */
  private long cutoffSecond(long nowMillis) {
    return Math.floorDiv(nowMillis - windowMillis, 1000);
  }

  private static long pack(long millis, long offset) {
    return (Math.floorDiv(millis, 1000) << 32) | (offset & 0xffff_ffffL);
  }

  /** The slot holding {@code h}, or the empty slot where it would go (linear probing). */
  private int find(long h) {
    int mask = hashes.length - 1;
    int i = (int) (h ^ (h >>> 32)) & mask;
    while (hashes[i] != 0 && hashes[i] != h) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** 0 marks an empty slot; the one id whose hash is 0 shares 1's (a 2^-64 chance). */
  private static long nonZero(long hash) {
    return hash == 0 ? 1 : hash;
  }

  private boolean full() {
    return size + 1 > hashes.length / 4 * 3 || size + 1 > maxIds;
  }

  /**
   * Drops expired ids and sizes the table for twice the rest, at least {@link #MIN_CAPACITY} and at
   * most what {@code maxIds} need: it grows when the window holds more ids, and shrinks when it
   * holds fewer. With {@code maxIds} ids inside the window, the oldest are dropped too, down to
   * seven eighths of it.
   */
  private void rebuild(long nowMillis) {
    long cutoff = cutoffSecond(nowMillis);
    long[] oldHashes = hashes;
    long[] oldMeta = meta;
    int live = 0;
    for (int i = 0; i < oldHashes.length; i++) {
      if (oldHashes[i] != 0 && (oldMeta[i] >>> 32) >= cutoff) {
        live++;
      }
    }
    if (live + 1 > maxIds) {
      long raised = oldestKept(oldHashes, oldMeta, cutoff, Math.floorDiv(nowMillis, 1000));
      int kept = 0;
      for (int i = 0; i < oldHashes.length; i++) {
        if (oldHashes[i] != 0 && (oldMeta[i] >>> 32) >= raised) {
          kept++;
        }
      }
      forgotten += live - kept;
      keptFromSecond = raised;
      cutoff = raised;
      live = kept;
    }
    int capacity = MIN_CAPACITY;
    while (capacity / 2 < live + 1 && capacity < maxCapacity) {
      capacity *= 2;
    }
    allocate(capacity);
    for (int i = 0; i < oldHashes.length; i++) {
      if (oldHashes[i] != 0 && (oldMeta[i] >>> 32) >= cutoff) {
        int slot = find(oldHashes[i]);
        hashes[slot] = oldHashes[i];
        meta[slot] = oldMeta[i];
      }
    }
    size = live;
  }

  /**
   * The first second to keep so that about seven eighths of {@code maxIds} remain: a histogram of
   * first-seen seconds from {@code cutoff} to {@code nowSecond}, summed from the newest.
   */
  private long oldestKept(long[] h, long[] m, long cutoff, long nowSecond) {
    long span = Math.max(1, nowSecond - cutoff + 1);
    long width = (span + AGE_BUCKETS - 1) / AGE_BUCKETS;
    int[] counts = new int[AGE_BUCKETS];
    for (int i = 0; i < h.length; i++) {
      long second = m[i] >>> 32;
      if (h[i] != 0 && second >= cutoff) {
        counts[(int) Math.min(AGE_BUCKETS - 1, (second - cutoff) / width)]++;
      }
    }
    long target = (long) maxIds / 8 * 7;
    long sum = 0;
    for (int b = AGE_BUCKETS - 1; b >= 0; b--) {
      sum += counts[b];
      if (sum > target) {
        return cutoff + (b + 1) * width; // bucket b would be one too many: keep from b + 1
      }
    }
    return cutoff;
  }

  private void allocate(int capacity) {
    hashes = new long[capacity];
    meta = new long[capacity];
    size = 0;
  }
}
