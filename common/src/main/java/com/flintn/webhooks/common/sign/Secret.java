package com.flintn.webhooks.common.sign;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * An endpoint's signing secret: {@code whsec_} followed by the base64 of 32 random bytes
 * (docs/design.md §8, §10). {@link #toString()} never shows the value; only {@link #reveal()} does,
 * for the one response that hands it to the customer and for signing.
 */
public final class Secret {
  public static final String PREFIX = "whsec_";
  private static final int KEY_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String value;
  private final byte[] standardKey;

  private Secret(String value, byte[] standardKey) {
    this.value = value;
    this.standardKey = standardKey;
  }

  /** A new secret from 32 bytes of {@link SecureRandom}. */
  public static Secret generate() {
    byte[] key = new byte[KEY_BYTES];
    RANDOM.nextBytes(key);
    return new Secret(PREFIX + Base64.getEncoder().encodeToString(key), key);
  }

  /**
   * Parses a secret. Any {@code whsec_} + base64 value of at least 24 key bytes is accepted, so
   * secrets made by other Standard Webhooks senders can be imported.
   *
   * @throws IllegalArgumentException with a message that does not contain the value
   */
  @JsonCreator
  public static Secret parse(String value) {
    if (value == null || !value.startsWith(PREFIX)) {
      throw new IllegalArgumentException("a signing secret starts with " + PREFIX);
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a signing secret is " + PREFIX + " followed by base64");
    }
    if (key.length < 24 || key.length > 64) {
      throw new IllegalArgumentException("a signing secret holds 24 to 64 key bytes");
    }
    return new Secret(value, key);
  }

  /** The whole secret string; for the customer's eyes and the signer only. */
  @JsonValue
  public String reveal() {
    return value;
  }

  /** Key for {@code X-Signature-Primary}: the whole secret string as UTF-8. */
  byte[] primaryKey() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** Key for Standard Webhooks: the base64-decoded part after {@code whsec_}. */
  byte[] standardKey() {
    return standardKey.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return PREFIX + "[redacted]";
  }
}
