package com.flintn.webhooks.dispatcher.consume;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The records past a partition's committed offset that were already finished when it was committed,
 * carried in the commit's metadata, so that whoever reads the partition next (after a stop, a crash
 * or a rebalance) skips them rather than doing them again.
 *
 * <p>Without it, everything past the oldest unfinished record is done again. Since the overflow
 * lane, that can be a lot: a delivery in flight to a slow or silent endpoint holds the commit for
 * up to the HTTP timeout while the records behind it finish (delivered, or moved to the overflow
 * lane), and after a stop each of those moved deliveries was sent twice, once from the overflow
 * lane and once from its re-read event.
 *
 * <p>Format: {@code f1:} and then run lengths in base 36, separated by dots, alternating unfinished
 * and finished runs, starting with the unfinished record at the committed offset. Offsets past the
 * last run are unknown: read and done as usual. Offsets within a finished run that hold no record
 * (transaction markers) are harmless. Metadata that does not parse is ignored, which only means
 * more work done again.
 */
final class FinishedOffsets {
  private static final String PREFIX = "f1:";

  /**
   * Longest metadata written. Kafka refuses a commit whose metadata is longer than the broker's
   * {@code offset.metadata.max.bytes} (4096 by default); what does not fit is left out, to be done
   * again.
   */
  static final int MAX_CHARS = 3000;

  private final long[] starts;
  private final long[] ends;

  private FinishedOffsets(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * The metadata for a commit at the lowest of {@code unfinished}, up to {@code next} (one past the
   * highest record read); empty when nothing past the commit is finished.
   *
   * @param unfinished ascending, not empty
   */
  static String encode(long[] unfinished, long next, int maxChars) {
    StringBuilder out = new StringBuilder(PREFIX);
    int i = 0;
    while (i < unfinished.length) {
      int j = i;
      while (j + 1 < unfinished.length && unfinished[j + 1] == unfinished[j] + 1) {
        j++;
      }
      long unfinishedEnd = unfinished[j] + 1;
      long finishedEnd = j + 1 < unfinished.length ? unfinished[j + 1] : next;
      if (finishedEnd <= unfinishedEnd) {
        break; // nothing finished after this run
      }
      String pair =
          (out.length() == PREFIX.length() ? "" : ".")
              + Long.toString(unfinishedEnd - unfinished[i], 36)
              + "."
              + Long.toString(finishedEnd - unfinishedEnd, 36);
      if (out.length() + pair.length() > maxChars) {
        break;
      }
      out.append(pair);
      i = j + 1;
    }
    return out.length() == PREFIX.length() ? "" : out.toString();
  }

  /** What {@code metadata} of a commit at {@code committed} says was finished; null for nothing. */
  static @Nullable FinishedOffsets decode(long committed, @Nullable String metadata) {
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return null;
    }
    String[] runs = metadata.substring(PREFIX.length()).split("\\.", -1);
    if (runs.length < 2 || runs.length % 2 != 0) {
      return null;
    }
    List<long[]> finished = new ArrayList<>();
    long at = committed;
    try {
      for (int k = 0; k < runs.length; k += 2) {
        long unfinishedRun = Long.parseLong(runs[k], 36);
        long finishedRun = Long.parseLong(runs[k + 1], 36);
        if (unfinishedRun <= 0 || finishedRun <= 0) {
          return null;
        }
        at = Math.addExact(at, unfinishedRun);
        long end = Math.addExact(at, finishedRun);
        finished.add(new long[] {at, end});
        at = end;
      }
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
    long[] starts = new long[finished.size()];
    long[] ends = new long[finished.size()];
    for (int k = 0; k < starts.length; k++) {
      starts[k] = finished.get(k)[0];
      ends[k] = finished.get(k)[1];
    }
    return new FinishedOffsets(starts, ends);
  }

  /** Whether the record at {@code offset} was finished. */
  boolean finished(long offset) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (offset < starts[mid]) {
        hi = mid - 1;
      } else if (offset >= ends[mid]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** One past the last offset this knows about; from there on records are done as usual. */
  long end() {
    return ends[ends.length - 1];
  }

  /** Offsets in the finished runs. */
  long count() {
    long n = 0;
    for (int k = 0; k < starts.length; k++) {
      n += ends[k] - starts[k];
    }
    return n;
  }
}
