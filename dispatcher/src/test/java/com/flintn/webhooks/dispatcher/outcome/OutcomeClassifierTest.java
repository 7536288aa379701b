package com.flintn.webhooks.dispatcher.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OutcomeClassifierTest {

  @ParameterizedTest(name = "HTTP {0} -> {1}")
  @CsvSource({
    "200, delivered",
    "201, delivered",
    "202, delivered",
    "204, delivered",
    "299, delivered",
    "301, retry",
    "302, retry",
    "304, retry",
    "307, retry",
    "308, retry",
    "408, retry",
    "429, retry",
    "500, retry",
    "502, retry",
    "503, retry",
    "504, retry",
    "599, retry",
    "400, give_up",
    "401, give_up",
    "403, give_up",
    "404, give_up",
    "405, give_up",
    "410, give_up",
    "413, give_up",
    "415, give_up",
    "422, give_up",
    "451, give_up"
  })
  void classifiesStatusCodesAsThePageSays(int status, String expected) {
    DeliveryOutcome o =
        OutcomeClassifier.classify(
            new SendResult.Response(status, Optional.empty(), "", Duration.ZERO));
    switch (expected) {
      case "delivered" -> assertThat(o).isInstanceOf(DeliveryOutcome.Delivered.class);
      case "retry" -> assertThat(o).isEqualTo(new DeliveryOutcome.RetryLater("http_" + status));
      default ->
          assertThat(o)
              .isEqualTo(new DeliveryOutcome.GiveUp(GiveUpReason.CLIENT_ERROR, "http_" + status));
    }
  }

  @ParameterizedTest
  @EnumSource(SendResult.ErrorKind.class)
  void retriesEveryTransportFailure(SendResult.ErrorKind kind) {
    assertThat(OutcomeClassifier.classify(new SendResult.Failure(kind, "x", Duration.ZERO)))
        .isEqualTo(new DeliveryOutcome.RetryLater(kind.wireName()));
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1 is a loopback address"})
  void givesUpOnUnsafeTargets(String reason) {
    assertThat(OutcomeClassifier.classify(new SendResult.Refused(reason, Duration.ZERO)))
        .isEqualTo(new DeliveryOutcome.GiveUp(GiveUpReason.UNSAFE_URL, "unsafe_url"));
  }
}
