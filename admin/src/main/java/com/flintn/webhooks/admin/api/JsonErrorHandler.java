package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Printable;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers the requests that Jetty refuses before they reach a route (a malformed request line or
 * header, a URI or headers too large, an ambiguous or badly encoded path) in the API's error format
 * instead of an HTML page. A request line or framing that this server does not speak (HTTP/0.9, a
 * CR or LF inside the request line, an unknown transfer coding) is the request's fault: it is a
 * 400, never a 5xx.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String reason = (String) request.getAttribute(ERROR_MESSAGE);
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException h) {
      status = h.getCode();
      if (reason == null) {
        reason = h.getReason();
      }
    }
    if (status == HttpStatus.NOT_IMPLEMENTED_501
        || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505
        || status < 400) {
      status = HttpStatus.BAD_REQUEST_400;
    }
    response.setStatus(status);
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
    headers.put("X-Content-Type-Options", "nosniff");
    if (HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod())) {
      callback.succeeded();
      return true;
    }
    byte[] body = Json.bytes(ApiJson.error(AdminServer.codeFor(status), message(status, reason)));
    headers.put(HttpHeader.CONTENT_TYPE, "application/json");
    headers.put(HttpHeader.CONTENT_LENGTH, String.valueOf(body.length));
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  private static String message(int status, String reason) {
    return switch (status) {
      case 413 -> "the request body is larger than " + RequestBody.MAX_BYTES / 1024 + " KiB";
      case 414 -> "the request URI is too long";
      case 431 -> "the request headers are too large";
      case 400 ->
          "the request is not valid HTTP"
              + (reason == null || reason.isBlank() || reason.equals(HttpStatus.getMessage(400))
                  ? ""
                  : ": " + Printable.quote(reason));
      case 404 -> "no such route";
      default -> status >= 500 ? "the request failed on our side" : HttpStatus.getMessage(status);
    };
  }
}
