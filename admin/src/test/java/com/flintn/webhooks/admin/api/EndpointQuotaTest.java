package com.flintn.webhooks.admin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.testkit.BlockingCall;
import com.flintn.webhooks.testkit.Endpoints;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What counts against the endpoint quota, and that one account's creates wait for each other. */
class EndpointQuotaTest {
  private final EndpointQuota quota = new EndpointQuota(3);

  @Test
  void revokedEndpointsHoldNoPlaceAndDisabledOnesDo() {
    List<Endpoint> endpoints = new ArrayList<>();
    endpoints.add(endpoint(1, EndpointStatus.ACTIVE));
    endpoints.add(endpoint(2, EndpointStatus.DISABLED));
    endpoints.add(endpoint(3, EndpointStatus.REVOKED));
    endpoints.add(endpoint(4, EndpointStatus.REVOKED));
    assertThatCode(() -> quota.requireRoom(endpoints)).doesNotThrowAnyException();

    endpoints.add(endpoint(5, EndpointStatus.ACTIVE));
    ApiError refused = catchThrowableOfType(ApiError.class, () -> quota.requireRoom(endpoints));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("endpoint_quota_exceeded");
    assertThat(refused.getMessage())
        .isEqualTo(
            "this account has 3 endpoints that are not revoked, and may have at most 3; revoking"
                + " an endpoint it no longer needs (POST /v1/webhooks/{id}/revoke) frees its"
                + " place");
  }

  @Test
  void aSecondCreateOfTheAccountWaitsUntilTheFirstIsDone() throws Exception {
    AccountId account = AccountId.of("acc_a");
    EndpointQuota.Hold first = quota.holdCreates(account);
    BlockingCall<Void> second =
        BlockingCall.start(
            () -> {
              quota.holdCreates(account).release(); // a lock is released by its own thread
              return null;
            },
            ForkJoinPool.commonPool());
    second.awaitBlockedOrDone(Duration.ofSeconds(10));
    assertThat(second).as("held back while the first create runs").isNotDone();
    first.release();
    second.get(5, TimeUnit.SECONDS);
  }

  private static Endpoint endpoint(int n, EndpointStatus status) {
    return Endpoints.endpoint(
        "ep_quota_" + n, "acc_a", "https://example.com/" + n, List.of("*"), status);
  }
}
