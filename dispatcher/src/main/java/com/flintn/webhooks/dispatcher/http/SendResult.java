package com.flintn.webhooks.dispatcher.http;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** What one POST came back with. A status code is a response, never an exception. */
public sealed interface SendResult {
  Duration duration();

  /**
   * The endpoint answered.
   *
   * @param retryAfter the raw {@code Retry-After} header, if any
   * @param excerpt the first characters of the body (at most 4 KiB)
   */
  record Response(int status, Optional<String> retryAfter, String excerpt, Duration duration)
      implements SendResult {}

  /** No response: the connection, TLS or the timeout failed. */
  record Failure(ErrorKind kind, String detail, Duration duration) implements SendResult {}

  /** The URL guard refused the target before anything was sent. */
  record Refused(String reason, Duration duration) implements SendResult {}

  /** Why no response came back; the wire name goes into attempt records. */
  enum ErrorKind {
    TIMEOUT,
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    TLS,
    DNS,
    IO;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
