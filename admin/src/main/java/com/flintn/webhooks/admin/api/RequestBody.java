package com.flintn.webhooks.admin.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Reads request bodies with a bound: a larger body is refused with 413 before it is all read. */
final class RequestBody {
  static final int MAX_BYTES = 64 * 1024;

  private RequestBody() {}

  static byte[] read(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
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

  private static ApiError tooLarge() {
    return ApiError.tooLarge("the request body is larger than " + MAX_BYTES / 1024 + " KiB");
  }
}
