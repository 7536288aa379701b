package com.flintn.webhooks.dispatcher.dedup;

/**
 * The event ids first seen in one partition of the events topic within the de-duplication window
 * (docs/design.md §6.6): an open-addressing hash set of 64-bit id hashes, each with when it was
 * first seen (seconds) and the low 32 bits of the offset it was first seen at, in two primitive
 * arrays: 16 bytes a slot, filled to at most three quarters, so 21 to 43 bytes an id. Ids older
 * than the window are dropped when the table fills up, before it grows; until then they are only
 * ignored. Not thread safe: the poll thread owns it.
 */
final class SeenIds {
  /** What {@link #firstSeen} answers when the id is new (or its first sighting expired). */
  static final long NEW = Long.MIN_VALUE;

  private static final int MIN_CAPACITY = 1024;

  private final long windowMillis;
  private long[] hashes;
  private long[] meta; // first-seen second (high 32 bits, unsigned) | offset's low 32 bits
  private int size;

  SeenIds(java.time.Duration window) {
    this.windowMillis = window.toMillis();
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
    if (size + 1 > hashes.length / 4 * 3) {
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
      if (size + 1 > hashes.length / 4 * 3) {
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

  /**
   * Drops expired ids and sizes the table for twice the rest, at least {@link #MIN_CAPACITY}: it
   * grows when the window holds more ids, and shrinks when it holds fewer.
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
    int capacity = MIN_CAPACITY;
    while (capacity / 2 < live + 1 && capacity < (1 << 30)) {
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

  private void allocate(int capacity) {
    hashes = new long[capacity];
    meta = new long[capacity];
    size = 0;
  }
}
