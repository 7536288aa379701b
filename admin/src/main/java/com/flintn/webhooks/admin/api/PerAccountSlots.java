package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.common.message.AccountId;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A few slots per account for work that is heavy for the process (reading a topic): an account that
 * has them all in use is refused with a 429 at once, and other accounts are not affected. One small
 * entry per account that ever asked. Thread safe.
 */
final class PerAccountSlots {
  private final int perAccount;
  private final String what;
  private final Duration retryAfter;
  private final Map<AccountId, Semaphore> slots = new ConcurrentHashMap<>();

  /**
   * @param what the work, as the refusal names it ("dead-letter reads")
   */
  PerAccountSlots(int perAccount, String what, Duration retryAfter) {
    this.perAccount = perAccount;
    this.what = what;
    this.retryAfter = retryAfter;
  }

  /** A slot, released by closing it. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Takes a slot of {@code account}.
   *
   * @throws ApiError 429 with {@code Retry-After} when the account has every slot in use
   */
  Slot take(AccountId account) {
    Semaphore s = slots.computeIfAbsent(account, a -> new Semaphore(perAccount));
    if (!s.tryAcquire()) {
      throw ApiError.rateLimited(
          "this account already has "
              + perAccount
              + (perAccount == 1 ? " " + singular() + " running" : " " + what + " running")
              + "; retry when "
              + (perAccount == 1 ? "it has" : "one has")
              + " finished",
          retryAfter);
    }
    return s::release;
  }

  private String singular() {
    return what.endsWith("s") ? what.substring(0, what.length() - 1) : what;
  }
}
