package com.flintn.webhooks.kafka;

/** The embedded broker could not be started or did not become ready. */
public final class EmbeddedKafkaException extends RuntimeException {
  public EmbeddedKafkaException(String message, Throwable cause) {
    super(message, cause);
  }
}
