package com.flintn.webhooks.testkit;

import com.flintn.webhooks.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One embedded broker per test JVM, started on first use and stopped at JVM exit. Tests share it
 * and keep apart by topic prefix (see {@link TestEnvironment}).
 */
public final class SharedKafka {
  private static EmbeddedKafka kafka;

  private SharedKafka() {}

  public static synchronized EmbeddedKafka get() {
    if (kafka == null) {
      Path dir;
      try {
        dir = Files.createTempDirectory("flintn-test-kafka");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      kafka = EmbeddedKafka.start(dir, 0, Duration.ofSeconds(60));
      EmbeddedKafka started = kafka;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-kafka-stop"));
    }
    return kafka;
  }

  public static String bootstrapServers() {
    return get().bootstrapServers();
  }
}
