package com.flintn.webhooks.launcher;

import java.util.concurrent.CountDownLatch;

/** Keeps a long-running command alive until SIGTERM or Ctrl-C, then runs its close action. */
final class Processes {
  private Processes() {}

  static void awaitShutdown(Runnable close) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("stopping...");
                  try {
                    close.run();
                  } finally {
                    stopped.countDown();
                  }
                },
                "shutdown"));
    stopped.await();
  }
}
