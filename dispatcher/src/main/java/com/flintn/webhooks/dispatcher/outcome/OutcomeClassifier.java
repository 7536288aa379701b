package com.flintn.webhooks.dispatcher.outcome;

import com.flintn.webhooks.dispatcher.http.SendResult;
import com.flintn.webhooks.dispatcher.outcome.DeliveryOutcome.GiveUpReason;

/**
 * The delivery rules of the customer page (DESIGN §4) in one place: 2xx is delivered; 3xx is a
 * failure (redirects are not followed) and retried; 408, 429 and 5xx are retried; every other 4xx
 * is given up at once; timeouts, connection and TLS failures are retried; a target refused by the
 * URL guard is given up.
 */
public final class OutcomeClassifier {
  private OutcomeClassifier() {}

  public static DeliveryOutcome classify(SendResult result) {
    return switch (result) {
      case SendResult.Response r -> byStatus(r.status());
      case SendResult.Failure f -> new DeliveryOutcome.RetryLater(f.kind().wireName());
      case SendResult.Refused u ->
          new DeliveryOutcome.GiveUp(GiveUpReason.UNSAFE_URL, "unsafe_url");
    };
  }

  static DeliveryOutcome byStatus(int status) {
    String failure = "http_" + status;
    if (status >= 200 && status < 300) {
      return new DeliveryOutcome.Delivered();
    }
    if (status == 408 || status == 429 || status >= 500 || status < 400) {
      return new DeliveryOutcome.RetryLater(failure);
    }
    return new DeliveryOutcome.GiveUp(GiveUpReason.CLIENT_ERROR, failure);
  }
}
