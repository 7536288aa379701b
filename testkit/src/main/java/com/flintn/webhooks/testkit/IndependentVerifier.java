package com.flintn.webhooks.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks delivery signatures from the written spec alone (docs/design.md §10 "Signing keys"),
 * sharing no code with the product's signer, so a bug there cannot hide itself in the tests.
 */
public final class IndependentVerifier {
  private IndependentVerifier() {}

  /** base64(HMAC-SHA256(key = secret string as UTF-8, message = body)). */
  public static String expectedPrimary(String secret, byte[] body) {
    return Base64.getEncoder().encodeToString(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
  }

  /** {@code v1,} + base64(HMAC-SHA256(key = base64 after whsec_, id.timestamp.body)). */
  public static String expectedStandard(String secret, String id, String timestamp, byte[] body) {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    String prefix = id + "." + timestamp + ".";
    byte[] msg = new byte[prefix.length() + body.length];
    System.arraycopy(prefix.getBytes(StandardCharsets.UTF_8), 0, msg, 0, prefix.length());
    System.arraycopy(body, 0, msg, prefix.length(), body.length);
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, msg));
  }

  /**
   * Checks both signatures of the delivery {@code r} against {@code secret}, the standard one for
   * event {@code eventId}; an AssertionError names the header that does not match.
   */
  public static void assertSigned(HttpsReceiver.Received r, String secret, String eventId) {
    check(eventId, "X-Signature-Primary", r, expectedPrimary(secret, r.body()));
    String timestamp = r.header("webhook-timestamp");
    if (timestamp == null) {
      throw new AssertionError(eventId + ": no webhook-timestamp header");
    }
    check(eventId, "webhook-signature", r, expectedStandard(secret, eventId, timestamp, r.body()));
  }

  private static void check(String eventId, String header, HttpsReceiver.Received r, String want) {
    if (!want.equals(r.header(header))) {
      throw new AssertionError(
          eventId + ": " + header + " is " + r.header(header) + ", expected " + want);
    }
  }

  private static byte[] hmac(byte[] key, byte[] msg) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(msg);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
