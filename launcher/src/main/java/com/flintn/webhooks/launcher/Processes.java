package com.flintn.webhooks.launcher;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running command alive until SIGTERM or Ctrl-C, then runs its close action within
 * {@code shutdown.timeout}. Each component bounds its own stop by that figure; a watchdog makes the
 * bound hold whatever a component does: {@link #HALT_MARGIN} past it the process halts, loudly,
 * with exit status 1, leaving unfinished work uncommitted as a crash would.
 */
final class Processes {
  static final Duration HALT_MARGIN = Duration.ofSeconds(3);

  private Processes() {}

  static void awaitShutdown(Duration bound, Runnable close) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("stopping (within " + bound.toSeconds() + " s)...");
                  Thread watchdog =
                      Thread.ofPlatform()
                          .daemon()
                          .name("shutdown-watchdog")
                          .start(() -> haltAfter(bound.plus(HALT_MARGIN), stopped));
                  try {
                    close.run();
                  } finally {
                    stopped.countDown();
                    watchdog.interrupt();
                  }
                },
                "shutdown"));
    stopped.await();
  }

  private static void haltAfter(Duration limit, CountDownLatch stopped) {
    try {
      if (!stopped.await(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.println(
            "stop did not finish within shutdown.timeout + "
                + HALT_MARGIN.toSeconds()
                + " s; halting. Unfinished work was not committed and is done again after restart.");
        Runtime.getRuntime().halt(1);
      }
    } catch (InterruptedException e) {
      // stopped in time
    }
  }
}
