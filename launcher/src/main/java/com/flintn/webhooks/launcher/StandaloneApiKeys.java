package com.flintn.webhooks.launcher;

import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.config.ConfigKey;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The admin API keys of standalone mode when {@code admin.api-keys} is not set: one key for the
 * demo account, made on first start into the data directory (owner-only) and reused afterwards.
 */
final class StandaloneApiKeys {
  static final String FILE = "api-keys.txt";

  /** The key file and the demo key in it. */
  record Made(Path file, @Nullable String demoKey) {}

  private StandaloneApiKeys() {}

  static Made readOrCreate(Path dataDir, String account, PrintStream out) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      Files.createDirectories(dataDir);
      String key = ApiKeys.generate();
      OwnerOnlyFile.create(
          file,
          "# Admin API keys of standalone mode: 'key account_id' per line.\n"
              + "# Production sets "
              + ConfigKey.ADMIN_API_KEYS.key()
              + " to a file like this one.\n"
              + key
              + " "
              + account
              + "\n");
      out.println("admin: made an API key for account " + account + " in " + file);
    }
    List<String> lines =
        Files.readAllLines(file).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    String demoKey =
        lines.stream()
            .filter(l -> l.endsWith(" " + account))
            .map(l -> l.split("\\s+", -1)[0])
            .findFirst()
            .orElse(null);
    return new Made(file, demoKey);
  }
}
