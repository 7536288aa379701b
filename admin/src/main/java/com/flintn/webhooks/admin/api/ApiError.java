package com.flintn.webhooks.admin.api;

/**
 * A request the API refuses, answered as {@code {"error":{"code":..,"message":..}}} with {@link
 * #status()}. The message is written for the caller: it says what was wrong and how to fix it.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  public ApiError(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
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

  public static ApiError tooLarge(String message) {
    return new ApiError(413, "payload_too_large", message);
  }

  public static ApiError invalid(String message) {
    return new ApiError(422, "validation_failed", message);
  }

  public static ApiError unavailable(String message) {
    return new ApiError(503, "unavailable", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
