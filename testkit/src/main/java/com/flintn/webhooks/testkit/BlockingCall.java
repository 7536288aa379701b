package com.flintn.webhooks.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A call that may block, run on a thread of the caller's executor: the future of its result, which
 * can also wait until the call blocks. A test that must see a call held back waits for that instead
 * of sleeping for a guess of how long the call takes to get there.
 */
public final class BlockingCall<T> extends CompletableFuture<T> {
  private volatile @Nullable Thread thread;

  private BlockingCall() {}

  /** Starts {@code call} on {@code executor}. */
  public static <T> BlockingCall<T> start(Callable<T> call, Executor executor) {
    BlockingCall<T> f = new BlockingCall<>();
    executor.execute(
        () -> {
          f.thread = Thread.currentThread();
          try {
            f.complete(call.call());
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /**
   * Waits, at most {@code timeout}, until the call's thread is blocked (waiting, with or without a
   * timeout) or the call is done; then the caller checks which.
   */
  public BlockingCall<T> awaitBlockedOrDone(Duration timeout) {
    Awaitility.await().atMost(timeout).until(() -> isDone() || isBlocked());
    return this;
  }

  private boolean isBlocked() {
    Thread t = thread;
    return t != null
        && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
  }
}
