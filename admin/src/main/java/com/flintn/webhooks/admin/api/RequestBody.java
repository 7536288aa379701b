package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Printable;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reads request bodies with a bound: a larger body is refused with 413 before it is all read. */
final class RequestBody {
  static final int MAX_BYTES = 64 * 1024;

  /** Refused bodies up to this size are read to their end before the 413 (see {@link #drain}). */
  static final int DRAIN_BYTES = 1024 * 1024;

  private RequestBody() {}

  static byte[] read(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
      if (declared <= DRAIN_BYTES) {
        drain(ctx);
      }
      throw tooLarge();
    }
    try (InputStream in = ctx.bodyInputStream()) {
      byte[] b = in.readNBytes(MAX_BYTES + 1);
      if (b.length > MAX_BYTES) {
        throw tooLarge();
      }
      return b;
    } catch (IOException e) {
      throw ApiError.badRequest("the request body could not be read");
    }
  }

  /**
   * For routes that act without input: the body must be absent or an empty JSON object. Anything
   * else is refused rather than ignored, so that a request meant for another route, or a field this
   * route may take one day, is never silently acted on.
   */
  static void requireNone(Context ctx) {
    byte[] b = read(ctx);
    if (b.length == 0) {
      return;
    }
    JsonNode o;
    try {
      o = Json.mapper().readTree(b);
    } catch (JacksonException e) {
      throw ApiError.badRequest(
          "this route takes no body (or an empty JSON object {}), and this one is not valid JSON");
    } catch (IOException e) {
      throw ApiError.badRequest("the request body could not be read");
    }
    if (o == null || o.isMissingNode()) {
      return; // whitespace only
    }
    if (!o.isObject()) {
      throw ApiError.badRequest("this route takes no body, or an empty JSON object {}");
    }
    if (!o.isEmpty()) {
      throw ApiError.invalid(
          "unknown field "
              + Printable.quote(o.fieldNames().next())
              + "; this route takes no fields");
    }
  }

  /**
   * Reads and drops a refused body that is still on its way. Answering before the client has sent
   * it all, then closing, can reset the connection under the client's feet, and it sees no answer
   * at all instead of the 413.
   */
  private static void drain(Context ctx) {
    try (InputStream in = ctx.bodyInputStream()) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away: nothing to answer
    }
  }

  private static ApiError tooLarge() {
    return ApiError.tooLarge("the request body is larger than " + MAX_BYTES / 1024 + " KiB");
  }
}
