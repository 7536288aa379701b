package com.flintn.webhooks.launcher;

import com.flintn.webhooks.testkit.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The configuration file a command is run with against a test environment's broker and topics. */
final class CommandConfig {
  private CommandConfig() {}

  /**
   * Writes {@code file}: the environment's bootstrap servers and topic prefix, short retry tiers,
   * then each of {@code lines} ({@code key=value}).
   */
  static Path write(Path file, TestEnvironment env, String... lines) throws IOException {
    StringBuilder text =
        new StringBuilder()
            .append("kafka.bootstrap-servers=")
            .append(env.config().kafka().bootstrapServers())
            .append("\ntopics.prefix=")
            .append(env.prefix())
            .append("\nretry.tiers=500ms,1s,2s,3s\n");
    for (String line : lines) {
      text.append(line).append('\n');
    }
    Files.writeString(file, text);
    return file;
  }
}
