package com.flintn.webhooks.common.sign;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;

/**
 * Checks signatures the way a receiver should: constant-time comparison, and for Standard Webhooks
 * a timestamp within a tolerance (default 5 minutes) so a captured request cannot be replayed
 * later. Used by the demo receiver and offered to Java receivers.
 */
public final class SignatureVerifier {
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final Clock clock;
  private final Duration tolerance;

  public SignatureVerifier(Clock clock, Duration tolerance) {
    this.clock = clock;
    this.tolerance = tolerance;
  }

  /** Whether {@code header} (an {@code X-Signature-Primary} value) signs {@code body}. */
  public static boolean verifyPrimary(Secret secret, byte[] body, String header) {
    return header != null
        && constantTimeEquals(WebhookSigner.primarySignature(secret, body), header);
  }

  /**
   * Whether one of the space-separated {@code v1,} entries of {@code signatureHeader} signs the
   * message, and the timestamp is within the tolerance of this verifier's clock.
   */
  public boolean verifyStandard(
      Secret secret,
      String webhookId,
      String timestampHeader,
      byte[] body,
      String signatureHeader) {
    if (webhookId == null || timestampHeader == null || signatureHeader == null) {
      return false;
    }
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampHeader.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - timestamp) > tolerance.toSeconds()) {
      return false;
    }
    String expected = WebhookSigner.standardSignature(secret, webhookId, timestamp, body);
    boolean match = false;
    for (String entry : signatureHeader.trim().split(" +", -1)) {
      match |= constantTimeEquals(expected, entry);
    }
    return match;
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
