package com.flintn.webhooks.common.sign;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts signing secrets for storage in Kafka: AES-256-GCM with a fresh 12-byte nonce per value,
 * written {@code enc:v1:<base64(nonce || ciphertext || tag)>}. The key is the {@code
 * secrets.encryption-key} configuration value (base64 of 32 bytes). Thread safe.
 */
public final class SecretCipher {
  public static final String PREFIX = "enc:v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private SecretCipher(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * @throws IllegalArgumentException if {@code base64Key} is not base64 of exactly 32 bytes (the
   *     message never contains the key)
   */
  public static SecretCipher fromBase64Key(String base64Key) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64Key.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not base64");
    }
    if (key.length != 32) {
      throw new IllegalArgumentException(
          "must be base64 of 32 bytes, got " + key.length + " bytes");
    }
    return new SecretCipher(key);
  }

  /** A new random key, base64, for {@code secrets.encryption-key}. */
  public static String generateKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  public String encrypt(String plaintext) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return PREFIX
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is part of every JDK", e);
    }
  }

  /**
   * @throws IllegalArgumentException if the value is not ours
   * @throws Undecryptable if it was sealed with another key or damaged (the message names neither
   *     the value nor the key)
   */
  public String decrypt(String sealed) {
    if (!sealed.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not an encrypted secret");
    }
    try {
      byte[] all = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      return new String(
          c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Undecryptable();
    }
  }

  /**
   * A stored secret that this key cannot open: almost always a {@code secrets.encryption-key} other
   * than the one it was written with. Readers of stored records tell it apart from other unreadable
   * input, because skipping such a record would lose it silently.
   */
  public static final class Undecryptable extends IllegalArgumentException {
    @Serial private static final long serialVersionUID = 1L;

    Undecryptable() {
      super(
          "cannot decrypt a stored secret: is secrets.encryption-key the key it was written with?");
    }

    /** Whether {@code e} or one of its causes is an {@link Undecryptable}. */
    public static boolean in(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof Undecryptable) {
          return true;
        }
      }
      return false;
    }
  }
}
