package com.flintn.webhooks.dispatcher.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OutcomeClassifierTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  private static DeliveryOutcome status(int status, String retryAfter) {
    return OutcomeClassifier.classify(
        new SendResult.Response(status, Optional.ofNullable(retryAfter), "", Duration.ZERO), NOW);
  }

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
    DeliveryOutcome o = status(status, null);
    switch (expected) {
      case "delivered" -> assertThat(o).isInstanceOf(DeliveryOutcome.Delivered.class);
      case "retry" -> assertThat(o).isEqualTo(new DeliveryOutcome.RetryLater("http_" + status));
      default ->
          assertThat(o)
              .isEqualTo(new DeliveryOutcome.GiveUp(GiveUpReason.CLIENT_ERROR, "http_" + status));
    }
  }

  @ParameterizedTest(name = "HTTP date {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994"
      })
  void readsTheThreeHttpDateFormsOfRfc9110(String value) {
    assertThat(OutcomeClassifier.parseHttpDate(value, NOW))
        .contains(Instant.parse("1994-11-06T08:49:37Z"));
  }

  @ParameterizedTest(name = "not an HTTP date: {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "soon",
        "Monday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun, 06-Nov-94 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 PST",
        "1994-11-06T08:49:37Z"
      })
  void refusesWhatIsNoHttpDate(String value) {
    assertThat(OutcomeClassifier.parseHttpDate(value, NOW)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void aTwoDigitYearMoreThan50YearsAheadIsInThePast() {
    assertThat(OutcomeClassifier.parseHttpDate("Wednesday, 01-Jan-76 00:00:00 GMT", NOW))
        .contains(Instant.parse("2076-01-01T00:00:00Z"));
    assertThat(OutcomeClassifier.parseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", NOW))
        .contains(Instant.parse("1977-01-01T00:00:00Z"));
  }

  @ParameterizedTest(name = "{0} Retry-After: {1} -> {2} s")
  @CsvSource({
    "429, 120, 120",
    "503, 3600, 3600",
    "429, 'Fri, 27 Nov 2026 10:10:00 GMT', 600",
    "429, 'Fri, 27 Nov 2026 09:00:00 GMT', -1",
    "503, 'Friday, 27-Nov-26 10:10:00 GMT', 600",
    "503, 'Fri Nov 27 10:10:00 2026', 600",
    "503, 'Tue Dec  1 10:00:00 2026', 345600",
    "429, 'Friday, 27-Nov-26 09:00:00 GMT', -1",
    "429, 'Fri Nov 27 09:00:00 2026', -1",
    "429, 'Friday, 27-Nov-2026 10:10:00 GMT', -1",
    "429, 'Fri Nov 27 10:10:00', -1",
    "429, 'Fri, 27 Nov 2026 25:10:00 GMT', -1",
    "429, 0, -1",
    "429, soon, -1",
    "429, -5, -1",
    "500, 120, -1",
    "408, 120, -1"
  })
  void honoursRetryAfterOn429And503Only(int code, String header, long expectedSeconds) {
    DeliveryOutcome.RetryLater r = (DeliveryOutcome.RetryLater) status(code, header);
    assertThat(r.retryAfter())
        .isEqualTo(
            expectedSeconds < 0
                ? Optional.empty()
                : Optional.of(Duration.ofSeconds(expectedSeconds)));
  }

  @ParameterizedTest
  @EnumSource(SendResult.ErrorKind.class)
  void retriesEveryTransportFailure(SendResult.ErrorKind kind) {
    assertThat(OutcomeClassifier.classify(new SendResult.Failure(kind, "x", Duration.ZERO), NOW))
        .isEqualTo(new DeliveryOutcome.RetryLater(kind.wireName()));
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1 is a loopback address"})
  void givesUpOnUnsafeTargets(String reason) {
    assertThat(OutcomeClassifier.classify(new SendResult.Refused(reason, Duration.ZERO), NOW))
        .isEqualTo(new DeliveryOutcome.GiveUp(GiveUpReason.UNSAFE_URL, "unsafe_url"));
  }

  @ParameterizedTest(name = "attempt {0} failed, Retry-After {1} s -> tier {2}")
  @CsvSource({
    "1, -1, 0",
    "2, -1, 1",
    "3, -1, 2",
    "4, -1, 3",
    "1, 60, 0",
    "1, 300, 0",
    "1, 301, 1",
    "1, 3600, 2",
    "1, 7200, 2",
    "1, 90000, 3",
    "3, 60, 2",
    "4, 999999, 3"
  })
  void retryAfterMovesTheNextAttemptToALongEnoughTierNeverAShorterOne(
      int failedAttempt, long retryAfterSeconds, int expectedTier) {
    List<Duration> tiers =
        List.of(
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(24));
    Optional<Duration> ra =
        retryAfterSeconds < 0
            ? Optional.empty()
            : Optional.of(Duration.ofSeconds(retryAfterSeconds));
    assertThat(RetryPlan.tierFor(failedAttempt, ra, tiers)).isEqualTo(expectedTier);
  }
}
