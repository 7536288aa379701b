package com.flintn.webhooks.admin.auth;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.message.AccountId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The admin API's bearer keys, each scoped to one account. Only SHA-256 hashes of the keys are
 * kept; a presented key is hashed and compared with every stored hash in constant time, so neither
 * the keys nor the time a lookup takes tell anything about them.
 *
 * <p>The file ({@code admin.api-keys}) has one {@code key account_id} pair per line; {@code #}
 * starts a comment, blank lines are ignored, and a key may be listed once.
 */
public final class ApiKeys {
  /** Shorter keys are refused at start: they could be guessed. */
  public static final int MIN_KEY_LENGTH = 20;

  @SuppressWarnings("ArrayRecordComponent") // only its hash is compared, with MessageDigest
  private record Entry(byte[] hash, AccountId account) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Reads the key file.
   *
   * @throws ConfigException naming {@code admin.api-keys} and the line for any problem
   */
  public static ApiKeys load(Path file) {
    String key = ConfigKey.ADMIN_API_KEYS.key();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + file + ": " + e.getMessage());
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int comment = line.indexOf('#');
      line = (comment >= 0 ? line.substring(0, comment) : line).strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      String[] parts = line.split("\\s+", -1);
      if (parts.length != 2) {
        throw new ConfigException(
            key, where + ": expected 'key account_id', got " + parts.length + " fields");
      }
      if (parts[0].length() < MIN_KEY_LENGTH) {
        throw new ConfigException(
            key, where + ": the key is shorter than " + MIN_KEY_LENGTH + " characters");
      }
      AccountId account;
      try {
        account = AccountId.of(parts[1]);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, where + ": " + e.getMessage());
      }
      byte[] h = hash(parts[0]);
      if (entries.stream().anyMatch(e -> MessageDigest.isEqual(e.hash, h))) {
        throw new ConfigException(
            key, where + ": this key is listed before; a key is one account's");
      }
      entries.add(new Entry(h, account));
    }
    if (entries.isEmpty()) {
      throw new ConfigException(key, file + " holds no keys");
    }
    return new ApiKeys(entries);
  }

  /** Keys given in code, for tests and the standalone demo. */
  public static ApiKeys of(List<String> keys, List<AccountId> accounts) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      entries.add(new Entry(hash(keys.get(i)), accounts.get(i)));
    }
    return new ApiKeys(entries);
  }

  /** A new random key: {@code fwk_} and 32 random bytes in URL-safe base64. */
  public static String generate() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return "fwk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The account of {@code presented}, or empty if it is no key of ours. */
  public Optional<AccountId> authenticate(String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > 512) {
      return Optional.empty();
    }
    byte[] h = hash(presented);
    AccountId found = null;
    for (Entry e : entries) { // no early exit: every lookup compares every hash
      if (MessageDigest.isEqual(e.hash, h)) {
        found = e.account;
      }
    }
    return Optional.ofNullable(found);
  }

  public int size() {
    return entries.size();
  }

  private static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
