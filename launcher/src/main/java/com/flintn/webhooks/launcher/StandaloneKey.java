package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigKey;
import com.flintn.webhooks.common.sign.SecretCipher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secrets key of standalone mode when none is configured: made on first start into the data
 * directory (owner-only), read from there afterwards, so a restart can read the secrets it stored.
 */
final class StandaloneKey {
  static final String FILE = "secrets.key";

  private StandaloneKey() {}

  static String readOrCreate(Path dataDir, PrintStream out) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    Files.createDirectories(dataDir);
    String key = SecretCipher.generateKey();
    OwnerOnlyFile.create(file, key + "\n");
    out.println(
        "secrets: made a new encryption key in "
            + file
            + " (keep it: the stored signing secrets cannot be read without it; production sets "
            + ConfigKey.SECRETS_ENCRYPTION_KEY.key()
            + ")");
    return key;
  }
}
