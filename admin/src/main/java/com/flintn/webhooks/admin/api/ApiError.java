package com.flintn.webhooks.admin.api;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A request the API refuses, answered as {@code {"error":{"code":..,"message":..}}} with {@link
 * #status()}. The message is written for the caller: it says what was wrong and how to fix it.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final long retryAfterSeconds; // 0: no Retry-After header

  public ApiError(int status, String code, String message) {
    this(status, code, message, 0);
  }

  private ApiError(int status, String code, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError badRequest(String message) {
    return new ApiError(400, "bad_request", message);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "unauthorized", message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  public static ApiError conflict(String message) {
    return new ApiError(409, "conflict", message);
  }

  /** The account has as many endpoints as it may; revoking one makes room. */
  public static ApiError endpointQuotaExceeded(String message) {
    return new ApiError(409, "endpoint_quota_exceeded", message);
  }

  /**
   * Too many requests of one kind: a 429 whose {@code Retry-After} is {@code wait} in whole
   * seconds, rounded up so that a client that waits that long finds room, and at least 1.
   */
  public static ApiError rateLimited(String message, Duration wait) {
    return new ApiError(429, "rate_limited", message, retryAfterSeconds(wait));
  }

  /** {@code wait} as {@code Retry-After} states it: whole seconds, rounded up, at least 1. */
  static long retryAfterSeconds(Duration wait) {
    return Math.max(1, wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0));
  }

  public static ApiError tooLarge(String message) {
    return new ApiError(413, "payload_too_large", message);
  }

  public static ApiError invalid(String message) {
    return new ApiError(422, "validation_failed", message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, "unavailable", message);
  }

  /** Not ready yet: a 503 whose {@code Retry-After} is {@code wait}, rounded up to seconds. */
  public static ApiError unavailable(String message, Duration wait) {
    return new ApiError(503, "unavailable", message, retryAfterSeconds(wait));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The seconds a client should wait before trying again, when the refusal says so. */
  public OptionalLong retryAfterSeconds() {
    return retryAfterSeconds > 0 ? OptionalLong.of(retryAfterSeconds) : OptionalLong.empty();
  }
}
