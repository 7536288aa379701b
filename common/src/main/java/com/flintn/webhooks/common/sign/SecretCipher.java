package com.flintn.webhooks.common.sign;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Encrypts signing secrets for storage in Kafka with a keyring (docs/design.md §8.1): several
 * AES-256 keys, each with an id, all of which can read, and one that writes. A value is sealed with
 * AES-256-GCM under a fresh 12-byte nonce and written {@code enc:v2:<key id>:<base64(nonce ||
 * ciphertext || tag)>}, with the id of the endpoint it belongs to as associated data, so a sealed
 * secret copied into another endpoint's record does not open. Values of the first format, {@code
 * enc:v1:<base64>} (no key id, no associated data), are still read, with every key of the ring. A
 * plaintext {@code whsec_} value is read only when the ring allows it (a migration switch). Thread
 * safe.
 */
public final class SecretCipher {
  /** Prefix of every sealed value, whatever its version. */
  public static final String PREFIX = "enc:";

  public static final String V1 = "enc:v1:";
  public static final String V2 = "enc:v2:";

  /** The id of the key given by {@code secrets.encryption-key}. */
  public static final String DEFAULT_KEY_ID = "default";

  /** What a key id may be: it sits between colons in a sealed value and in {@code id=key} lists. */
  public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

  private static final String LEGACY_KEY = "secrets.encryption-key";
  private static final String KEYS = "secrets.encryption-keys";
  private static final String ALLOW_PLAINTEXT = "secrets.allow-plaintext";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKeySpec> keys;
  private final String writeKeyId;
  private final boolean allowPlaintext;

  /** The configuration key an operator fixes when a stored secret does not open. */
  private final String keysSetting;

  private SecretCipher(
      Map<String, byte[]> keys, String writeKeyId, boolean allowPlaintext, String keysSetting) {
    Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
    keys.forEach((id, key) -> specs.put(id, new SecretKeySpec(key, "AES")));
    this.keys = Collections.unmodifiableMap(specs);
    this.writeKeyId = writeKeyId;
    this.allowPlaintext = allowPlaintext;
    this.keysSetting = keysSetting;
  }

  /**
   * A ring of one key, {@value #DEFAULT_KEY_ID}, that reads and writes: {@code
   * secrets.encryption-key} alone.
   *
   * @throws IllegalArgumentException if {@code base64Key} is not base64 of exactly 32 bytes (the
   *     message never contains the key)
   */
  public static SecretCipher fromBase64Key(String base64Key) {
    return new SecretCipher(
        Map.of(DEFAULT_KEY_ID, parseKey(base64Key)), DEFAULT_KEY_ID, false, LEGACY_KEY);
  }

  /**
   * A ring of {@code keys} (id to 32 key bytes) in which {@code writeKeyId} writes.
   *
   * @param fromLegacyKeyOnly whether the ring is {@code secrets.encryption-key} alone, so errors
   *     name that key rather than {@code secrets.encryption-keys}
   * @throws IllegalArgumentException if the ring is empty, an id is malformed, a key is not 32
   *     bytes, or {@code writeKeyId} is not in it
   */
  public static SecretCipher keyring(
      Map<String, byte[]> keys,
      String writeKeyId,
      boolean allowPlaintext,
      boolean fromLegacyKeyOnly) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a keyring needs at least one key");
    }
    keys.forEach(
        (id, key) -> {
          checkKeyId(id);
          if (key.length != 32) {
            throw new IllegalArgumentException("key '" + id + "' is not 32 bytes");
          }
        });
    if (!keys.containsKey(writeKeyId)) {
      throw new IllegalArgumentException("no key with id '" + writeKeyId + "'");
    }
    return new SecretCipher(
        new LinkedHashMap<>(keys),
        writeKeyId,
        allowPlaintext,
        fromLegacyKeyOnly ? LEGACY_KEY : KEYS);
  }

  /**
   * The 32 bytes of a base64 key.
   *
   * @throws IllegalArgumentException naming what is wrong, never the key
   */
  public static byte[] parseKey(String base64Key) {
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
    return key;
  }

  /**
   * @throws IllegalArgumentException if {@code id} is not a valid key id
   */
  public static void checkKeyId(String id) {
    if (id == null || !KEY_ID.matcher(id).matches()) {
      // not shown: a malformed id may be a piece of a key pasted in the wrong place
      throw new IllegalArgumentException(
          "a key id must be 1 to 32 letters, digits, '.', '_' or '-' (it is written into every"
              + " sealed secret)");
    }
  }

  /** A new random key, base64, for {@code secrets.encryption-key(s)}. */
  public static String generateKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** The id of the key new values are sealed with. */
  public String writeKeyId() {
    return writeKeyId;
  }

  /** The ids of every key that can read, in configuration order. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  public boolean allowsPlaintext() {
    return allowPlaintext;
  }

  /**
   * Whether {@code stored} is sealed with the writing key in the current format, so rewriting it
   * changes nothing but its nonce.
   */
  public boolean isCurrent(String stored) {
    return stored != null && stored.startsWith(V2 + writeKeyId + ":");
  }

  /**
   * Seals {@code plaintext} with the writing key, bound to {@code endpointId}: only a reader that
   * passes the same endpoint id opens it.
   */
  public String encrypt(String plaintext, String endpointId) {
    Objects.requireNonNull(endpointId, "endpointId");
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(writeKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(associatedData(endpointId));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return V2
          + writeKeyId
          + ":"
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is part of every JDK", e);
    }
  }

  /**
   * The plaintext of a stored secret of {@code endpointId}: a sealed value of either format, or a
   * plaintext {@code whsec_} value if the ring allows those.
   *
   * @throws IllegalArgumentException if the value is neither sealed nor a plaintext secret
   * @throws Undecryptable if no configured key opens it, its key id is not configured, it belongs
   *     to another endpoint, it is damaged, or it is plaintext and plaintext is not allowed (the
   *     message names neither the value nor a key)
   */
  public String decrypt(String stored, @Nullable String endpointId) {
    if (stored.startsWith(Secret.PREFIX)) {
      if (allowPlaintext) {
        return stored;
      }
      throw new Undecryptable(
          ALLOW_PLAINTEXT,
          "a stored secret is in plain text, which is read only with " + ALLOW_PLAINTEXT + "=true",
          "be read: they hold plain-text secrets",
          "set "
              + ALLOW_PLAINTEXT
              + "=true while migrating, run `flintn-webhooks secrets rekey`, then remove it");
    }
    if (stored.startsWith(V1)) {
      byte[] all = base64(stored.substring(V1.length()));
      for (SecretKeySpec key : keys.values()) {
        String opened = open(key, all, null);
        if (opened != null) {
          return opened;
        }
      }
      throw wrongKey(null);
    }
    if (stored.startsWith(V2)) {
      String rest = stored.substring(V2.length());
      int colon = rest.indexOf(':');
      if (colon < 0) {
        throw new Undecryptable(
            keysSetting,
            "a stored secret is damaged: it has no key id",
            "be decrypted: the sealed secret is damaged",
            "delete and recreate those endpoints");
      }
      String id = rest.substring(0, colon);
      SecretKeySpec key = keys.get(id);
      if (key == null) {
        String which =
            "key id '"
                + shown(id)
                + "', which is not configured (configured: "
                + String.join(", ", keys.keySet())
                + ")";
        throw new Undecryptable(
            KEYS,
            "a stored secret was written with " + which,
            "be decrypted: they were written with " + which,
            "add that key to " + KEYS);
      }
      String opened =
          open(key, base64(rest.substring(colon + 1)), associatedData(requireId(endpointId)));
      if (opened == null) {
        throw wrongKey(id);
      }
      return opened;
    }
    throw new IllegalArgumentException("not an encrypted secret");
  }

  private Undecryptable wrongKey(@Nullable String id) {
    if (keysSetting.equals(LEGACY_KEY)) { // id is null or DEFAULT_KEY_ID, the only one
      return new Undecryptable(
          LEGACY_KEY,
          "cannot decrypt a stored secret: is "
              + LEGACY_KEY
              + " the key it was written with?"
              + (id == null ? "" : " (or was it moved from another endpoint?)"),
          "be decrypted with this key",
          "it is not the key they were written with. Configure that key, or delete and recreate"
              + " those endpoints");
    }
    if (id == null) {
      return new Undecryptable(
          keysSetting,
          "cannot decrypt a stored secret (enc:v1) with any configured key",
          "be decrypted with any configured key",
          "add the key they were written with to "
              + KEYS
              + ", or delete and recreate those"
              + " endpoints");
    }
    return new Undecryptable(
        keysSetting,
        "cannot decrypt a stored secret with key '"
            + id
            + "': that id holds another key than it was written with, or it was moved from"
            + " another endpoint",
        "be decrypted with key '" + id + "'",
        "that id holds another key than they were written with, or a sealed secret was moved"
            + " from another endpoint. Configure the right key under that id, or delete and"
            + " recreate those endpoints");
  }

  private static String requireId(@Nullable String endpointId) {
    if (endpointId == null) {
      throw new IllegalArgumentException("a sealed secret is read only with its endpoint's id");
    }
    return endpointId;
  }

  private static String shown(String id) {
    return KEY_ID.matcher(id).matches() ? id : "(malformed)";
  }

  private static byte[] base64(String text) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return new byte[0]; // fails to open below, like any other damage
    }
  }

  /** The plaintext, or null if {@code key} does not open {@code all} with {@code aad}. */
  private static @Nullable String open(SecretKeySpec key, byte[] all, byte @Nullable [] aad) {
    if (all.length < NONCE_BYTES + TAG_BITS / 8) {
      return null;
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      if (aad != null) {
        c.updateAAD(aad);
      }
      return new String(
          c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      return null; // a wrong key, other associated data, or damage: GCM cannot tell them apart
    }
  }

  private static byte[] associatedData(String endpointId) {
    return ("flintn-webhooks/endpoint/" + endpointId).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SecretCipher[keys " + keys.keySet() + ", writes " + writeKeyId + "]";
  }

  /**
   * A stored secret that this ring cannot open: almost always a missing or different key, or a
   * plaintext value while plaintext is not allowed. Readers of stored records tell it apart from
   * other unreadable input, because skipping such a record would lose it silently.
   */
  public static final class Undecryptable extends IllegalArgumentException {
    @Serial private static final long serialVersionUID = 1L;

    private final String configKey;
    private final String what;
    private final String fix;

    Undecryptable(String configKey, String message, String what, String fix) {
      super(message);
      this.configKey = configKey;
      this.what = what;
      this.fix = fix;
    }

    /** The configuration key that fixes this: the one a refusal to start names. */
    public String configKey() {
      return configKey;
    }

    /**
     * The problem of {@code count} such records, in one line: "3 endpoint records cannot be
     * decrypted with this key (first: ep_x); it is not the key ...".
     */
    public String problem(int count, String first) {
      return count
          + (count == 1 ? " endpoint record cannot " : " endpoint records cannot ")
          + what
          + " (first: "
          + first
          + "); "
          + fix;
    }

    /** Whether {@code e} or one of its causes is an {@link Undecryptable}. */
    public static boolean in(Throwable e) {
      return find(e) != null;
    }

    /** The {@link Undecryptable} in {@code e} or its causes, or null. */
    public static @Nullable Undecryptable find(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof Undecryptable u) {
          return u;
        }
      }
      return null;
    }
  }
}
