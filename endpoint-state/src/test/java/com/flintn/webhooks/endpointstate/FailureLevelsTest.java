package com.flintn.webhooks.endpointstate;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AccountId;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FailureLevelsTest {
  private static final AccountId ACC = AccountId.of("acc_1");
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void onlyFailedAttemptsThreeAndFourOfFiveWarn() {
    assertThat(FailureLevels.warningLevel(1)).isZero();
    assertThat(FailureLevels.warningLevel(2)).isZero();
    assertThat(FailureLevels.warningLevel(3)).isEqualTo(60);
    assertThat(FailureLevels.warningLevel(4)).isEqualTo(80);
    // the fifth failure disables the endpoint: that is its own notification, not a warning
    assertThat(FailureLevels.warningLevel(5)).isZero();
    assertThat(FailureLevels.percent(5)).isEqualTo(100);
  }

  @Test
  void eachLevelWarnsOnceAndOnlyOnTheWayUp() {
    var first = FailureLevels.onFailed(null, ACC, 3, T0).orElseThrow();
    assertThat(first.next().percent()).isEqualTo(60);
    assertThat(first.sendWebhook()).isTrue();
    assertThat(FailureLevels.onFailed(first.next(), ACC, 3, T0.plusSeconds(1))).isEmpty();
    var second = FailureLevels.onFailed(first.next(), ACC, 4, T0.plusSeconds(2)).orElseThrow();
    assertThat(second.next().percent()).isEqualTo(80);
    assertThat(second.sendWebhook()).isTrue();
    assertThat(FailureLevels.onFailed(second.next(), ACC, 3, T0.plusSeconds(3))).isEmpty();
    assertThat(FailureLevels.onFailed(second.next(), ACC, 4, T0.plusSeconds(3))).isEmpty();
    assertThat(FailureLevels.onFailed(null, ACC, 2, T0)).isEmpty();
  }

  @Test
  void aDeliveryReArmsButWithinTheQuietPeriodOnlyTheStateChanges() {
    var warned = FailureLevels.onFailed(null, ACC, 3, T0).orElseThrow().next();
    assertThat(FailureLevels.onDelivered(null, T0)).isEmpty();
    var recovered = FailureLevels.onDelivered(warned, T0.plusSeconds(10)).orElseThrow();
    assertThat(recovered.failing()).isFalse();
    assertThat(recovered.notifiedAt()).isEqualTo(T0);
    assertThat(FailureLevels.onDelivered(recovered, T0.plusSeconds(11))).isEmpty();

    var soon = FailureLevels.onFailed(recovered, ACC, 3, T0.plusSeconds(60)).orElseThrow();
    assertThat(soon.next().percent()).isEqualTo(60);
    assertThat(soon.sendWebhook()).isFalse();
    assertThat(soon.next().notifiedAt()).isEqualTo(T0);
    // a rise within the same failing spell is always sent
    var rise = FailureLevels.onFailed(soon.next(), ACC, 4, T0.plusSeconds(61)).orElseThrow();
    assertThat(rise.sendWebhook()).isTrue();

    Instant later = T0.plus(FailureLevels.QUIET_AFTER_RECOVERY);
    var again = FailureLevels.onFailed(recovered, ACC, 3, later).orElseThrow();
    assertThat(again.sendWebhook()).isTrue();
    assertThat(again.next().notifiedAt()).isEqualTo(later);
    assertThat(FailureLevels.onFailed(recovered, ACC, 3, later.minus(Duration.ofMillis(1))))
        .hasValueSatisfying(r -> assertThat(r.sendWebhook()).isFalse());
  }
}
