package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.dlq.DlqReplayer;
import java.io.Console;
import java.io.PrintStream;

/**
 * Progress of a replay on standard error: a bar redrawn in place with rate and ETA on a terminal,
 * plain lines every 10% (or 5 s) otherwise, so logs and pipes stay readable.
 */
final class ReplayProgress implements DlqReplayer.Progress {
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private long lastDrawn;
  private int lastTenth = -1;

  ReplayProgress(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void update(int handled, int total, int sent) {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    double rate = sent / seconds;
    int percent = total == 0 ? 100 : (int) (100L * handled / total);
    String eta = rate > 0 ? duration((total - handled) / rate) : "?";
    if (terminal) {
      if (now - lastDrawn < 100_000_000L && handled < total) {
        return;
      }
      lastDrawn = now;
      int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * handled / total);
      err.printf(
          "\rreplaying [%s%s] %3d%% %d/%d  %.0f/s  ETA %s   ",
          "#".repeat(filled), ".".repeat(WIDTH - filled), percent, handled, total, rate, eta);
      if (handled >= total) {
        err.println();
      }
      err.flush();
    } else {
      int tenth = percent / 10;
      if (tenth != lastTenth || now - lastDrawn >= 5_000_000_000L) {
        lastTenth = tenth;
        lastDrawn = now;
        err.printf(
            "replayed %d of %d (%d%%), %.0f/s, ETA %s%n", handled, total, percent, rate, eta);
      }
    }
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }

  /** Whether standard output is an interactive terminal (JDK 22+ can tell; else assume not). */
  @SuppressWarnings("SystemConsoleNull") // JDK 21, which the product supports, returns null
  static boolean isTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only for a terminal
    }
  }
}
