package com.flintn.webhooks.kafka;

import java.io.Serial;
import org.jspecify.annotations.Nullable;

/** The embedded broker could not be started or did not become ready. */
public final class EmbeddedKafkaException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  public EmbeddedKafkaException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
