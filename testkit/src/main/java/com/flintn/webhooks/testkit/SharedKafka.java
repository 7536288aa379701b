package com.flintn.webhooks.testkit;

import com.flintn.webhooks.common.io.Directories;
import com.flintn.webhooks.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One broker per test JVM, started on first use and stopped at JVM exit. Tests share it and keep
 * apart by topic prefix (see {@link TestEnvironment}). Which broker: see {@link TestBroker}.
 */
public final class SharedKafka {
  /** System property naming the broker: {@code embedded} (default) or {@code testcontainers}. */
  public static final String BROKER_PROPERTY = "flintn.test.broker";

  private static final String CONTAINER_BROKER =
      "com.flintn.webhooks.testkit.docker.ContainerBroker";
  private static @Nullable TestBroker broker;

  private SharedKafka() {}

  public static synchronized TestBroker get() {
    if (broker == null) {
      broker =
          "testcontainers".equals(System.getProperty(BROKER_PROPERTY, "embedded"))
              ? container()
              : embedded();
      TestBroker started = broker;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-kafka-stop"));
    }
    return broker;
  }

  public static String bootstrapServers() {
    return get().bootstrapServers();
  }

  private static TestBroker embedded() {
    Path dir;
    try {
      dir = Files.createTempDirectory("flintn-test-kafka");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, Duration.ofSeconds(60));
    return new TestBroker() {
      @Override
      public String bootstrapServers() {
        return kafka.bootstrapServers();
      }

      @Override
      public void close() {
        kafka.close();
        // a test JVM's broker is never reused: its data would only pile up
        Directories.deleteQuietly(dir);
      }
    };
  }

  /** The container broker lives in the docker profile's extra sources; loaded by name. */
  private static TestBroker container() {
    try {
      return (TestBroker) Class.forName(CONTAINER_BROKER).getMethod("start").invoke(null);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          BROKER_PROPERTY + "=testcontainers needs the docker profile: ./mvnw -Pdocker verify", e);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // a skip when Docker is missing, or the container's failure
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
