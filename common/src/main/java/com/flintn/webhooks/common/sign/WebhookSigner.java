package com.flintn.webhooks.common.sign;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the signatures a delivery carries (docs/design.md §10 "Signing keys"):
 *
 * <ul>
 *   <li>{@code X-Signature-Primary}: base64(HMAC-SHA256(key = secret string as UTF-8, body)).
 *   <li>{@code webhook-signature}: {@code v1,} + base64(HMAC-SHA256(key = base64-decoded secret
 *       after {@code whsec_}, {@code id + "." + timestamp + "." + body})), per Standard Webhooks.
 * </ul>
 *
 * Stateless and thread safe.
 */
public final class WebhookSigner {
  private static final String HMAC = "HmacSHA256";

  private WebhookSigner() {}

  /** The {@code X-Signature-Primary} (or {@code -Secondary}) value of {@code body}. */
  public static String primarySignature(Secret secret, byte[] body) {
    return Base64.getEncoder().encodeToString(hmac(secret.primaryKey(), body));
  }

  /** One {@code v1,<base64>} entry of the Standard Webhooks {@code webhook-signature} header. */
  public static String standardSignature(
      Secret secret, String webhookId, long timestampSeconds, byte[] body) {
    byte[] prefix = (webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] message = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, message, 0, prefix.length);
    System.arraycopy(body, 0, message, prefix.length, body.length);
    return "v1," + Base64.getEncoder().encodeToString(hmac(secret.standardKey(), message));
  }

  /**
   * A fresh instance to clone: cloning skips the provider lookup of {@link Mac#getInstance}, which
   * cost as much as the HMAC of a small body.
   */
  private static final Mac PROTOTYPE = newMac();

  private static Mac newMac() {
    try {
      return Mac.getInstance(HMAC);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static Mac mac() {
    try {
      return (Mac) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newMac();
    }
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = mac();
      mac.init(new SecretKeySpec(key, HMAC));
      return mac.doFinal(message);
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 takes a key of any length", e);
    }
  }
}
