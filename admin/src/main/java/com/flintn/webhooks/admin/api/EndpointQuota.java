package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many endpoints one account may have: every endpoint that is not revoked counts, since a
 * disabled one can be reactivated, while a revoked one is final, receives nothing and holds no
 * place. The endpoints table is shared by every account; without a bound one account could fill the
 * view that every admin and dispatcher keeps in memory.
 *
 * <p>Creates of one account run one at a time in this process ({@link #holdCreates}), so that
 * concurrent creates cannot each find the last place free and all pass. Accounts share 64 locks by
 * hash, which keeps the locks bounded; two accounts on one lock only wait for each other's creates.
 * Admin instances do not share locks: with several, creates that run at once on different instances
 * can pass the limit by one for each instance.
 */
public final class EndpointQuota {
  private static final int LOCKS = 64;

  /** A create holds its lock for at most the read bound and the apply bound (5 s + 10 s). */
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final int max;
  private final ReentrantLock[] locks = new ReentrantLock[LOCKS];

  /**
   * @param max endpoints an account may have that are not revoked
   */
  public EndpointQuota(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, got " + max);
    }
    this.max = max;
    for (int i = 0; i < LOCKS; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** Holds back the account's other creates until {@link Hold#release()}; a 503 if one is stuck. */
  Hold holdCreates(AccountId account) throws InterruptedException {
    ReentrantLock lock = locks[Math.floorMod(account.hashCode(), LOCKS)];
    if (!lock.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw ApiError.unavailable(
          "another create for this account is still waiting to be applied; retry shortly");
    }
    return lock::unlock;
  }

  /**
   * Refuses a create when {@code endpoints}, every endpoint of the account as the table has them
   * now, already hold every place.
   */
  void requireRoom(List<Endpoint> endpoints) {
    long held = endpoints.stream().filter(e -> e.status() != EndpointStatus.REVOKED).count();
    if (held >= max) {
      throw ApiError.endpointQuotaExceeded(
          "this account has "
              + held
              + " endpoints that are not revoked, and may have at most "
              + max
              + "; revoking an endpoint it no longer needs (POST /v1/webhooks/{id}/revoke) frees"
              + " its place");
    }
  }

  /** The creates of one account, held back until released. */
  interface Hold {
    void release();
  }
}
