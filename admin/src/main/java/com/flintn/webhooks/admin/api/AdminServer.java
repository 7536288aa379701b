package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.admin.auth.ApiKeys;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.metrics.WebhookMetrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server on Javalin (Jetty 12): the {@code /v1} API behind bearer keys, the
 * dashboard at {@code /}, {@code /openapi.json} and {@code /health}. Every error, including an
 * unknown route, a body too large and a request Jetty refuses before any route (see {@link
 * JsonErrorHandler}), is answered in the API's error format; an unexpected failure is logged and
 * answered as a 500 without details.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final String CSP =
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  /** A % not followed by two hex digits. */
  private static final Pattern MALFORMED_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

  private final Javalin app;
  private final int requestedPort;

  /**
   * @param health answers whether this process is healthy, and a JSON document that says why
   */
  public AdminServer(
      int port,
      ApiKeys keys,
      WebhookApi api,
      Supplier<HealthReport> health,
      MeterRegistry registry) {
    this.requestedPort = port;
    byte[] openApi = resource("/openapi.json");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.concurrency.useVirtualThreads = true;
              config.http.prefer405over404 = true;
              config.http.maxRequestSize = RequestBody.MAX_BYTES;
              config.jetty.port = port;
              config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
              config.jetty.modifyServletContextHandler(
                  context -> context.setErrorHandler(new JsonErrorHandler()));
              config.staticFiles.add(
                  files -> {
                    files.hostedPath = "/";
                    files.directory = "/dashboard";
                    files.location = Location.CLASSPATH;
                    files.headers = Map.of("Cache-Control", "no-cache");
                  });
              config.routes.before(AdminServer::securityHeaders);
              config.routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
              config.routes.before(AdminServer::wellFormedQuery);
              config.routes.after(ctx -> time(ctx, registry));
              config.routes.before("/v1/*", ctx -> authenticate(ctx, keys));
              for (WebhookApi.Route r : api.routes()) {
                config.routes.addHttpHandler(r.method(), r.path(), r.handler());
              }
              config.routes.get(
                  "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
              config.routes.get(
                  "/health",
                  ctx -> {
                    HealthReport h = health.get();
                    WebhookApi.json(ctx, h.healthy() ? 200 : 503, h.body());
                  });
              config.routes.exception(
                  ApiError.class,
                  (e, ctx) -> {
                    e.retryAfterSeconds()
                        .ifPresent(s -> ctx.header("Retry-After", String.valueOf(s)));
                    error(ctx, e.status(), e.code(), Printable.message(e));
                  });
              config.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) -> error(ctx, e.getStatus(), codeFor(e.getStatus()), messageFor(e)));
              config.routes.exception(TimeoutException.class, (e, ctx) -> kafkaUnavailable(ctx, e));
              config.routes.exception(
                  ExecutionException.class, (e, ctx) -> kafkaUnavailable(ctx, e));
              config.routes.exception(
                  org.apache.kafka.common.KafkaException.class,
                  (e, ctx) -> kafkaUnavailable(ctx, e));
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.error("{} {} failed", ctx.method(), ctx.path(), e);
                    error(
                        ctx, 500, "internal", "the request failed on our side; it has been logged");
                  });
              config.routes.error(
                  404,
                  ctx -> {
                    if (ctx.result() == null || ctx.result().isEmpty()) {
                      error(
                          ctx,
                          404,
                          "not_found",
                          "no such route: " + ctx.method() + " " + path(ctx));
                    }
                  });
            });
  }

  /** What {@code /health} answers. */
  public record HealthReport(boolean healthy, Object body) {}

  public void start() {
    app.start();
    log.info("admin API and dashboard listening on port {}", app.port());
  }

  public int port() {
    return app.port() > 0 ? app.port() : requestedPort;
  }

  private static final String STARTED = "flintn.started";

  /** {@code webhook.admin.requests}: route templates only, so the tags stay bounded. */
  private static void time(Context ctx, MeterRegistry registry) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    io.javalin.router.Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
    String route =
        matched != null ? matched.path : ctx.path().startsWith("/v1/") ? "unmatched" : "static";
    Timer.builder(WebhookMetrics.ADMIN_REQUESTS)
        .description("Admin API requests")
        .tag("method", ctx.method().name())
        .tag("route", route)
        .tag("status", String.valueOf(ctx.statusCode()))
        .register(registry)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  private static void securityHeaders(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Content-Security-Policy", CSP);
    if (ctx.path().startsWith("/v1/")) {
      ctx.header("Cache-Control", "no-store");
    }
  }

  /**
   * A query string with a broken %-escape is refused: read leniently, its parameters would silently
   * vanish and the request would be answered as if they had not been sent.
   */
  private static void wellFormedQuery(Context ctx) {
    String q = ctx.queryString();
    if (q != null && MALFORMED_ESCAPE.matcher(q).find()) {
      throw ApiError.badRequest(
          "the query string has a malformed %-escape: write % as %25, and escapes as %XX with two"
              + " hex digits");
    }
  }

  private static void authenticate(Context ctx, ApiKeys keys) {
    if (HandlerType.OPTIONS.equals(ctx.method())) {
      return;
    }
    String h = ctx.header("Authorization");
    if (h == null || h.isBlank()) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw ApiError.unauthorized("missing Authorization: Bearer <api key> header");
    }
    if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw ApiError.unauthorized("the Authorization header must be 'Bearer <api key>'");
    }
    Optional<AccountId> account = keys.authenticate(h.substring(7).strip());
    if (account.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw ApiError.unauthorized("the API key is not valid");
    }
    ctx.attribute(AccountEndpoints.ACCOUNT, account.get());
  }

  /** Kafka did not answer in time or failed: the request may be retried; no stack trace. */
  private static void kafkaUnavailable(Context ctx, Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    log.warn("{} {}: Kafka unavailable: {}", ctx.method(), ctx.path(), cause.toString());
    error(
        ctx,
        503,
        "unavailable",
        "Kafka did not answer in time; retry shortly (a write may still be applied: read before"
            + " repeating a create)");
  }

  private static void error(Context ctx, int status, String code, String message) {
    WebhookApi.json(ctx, status, ApiJson.error(code, message));
  }

  /** The error code of a status, for errors that no route chose a code for. */
  static String codeFor(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 422 -> "validation_failed";
      case 429 -> "rate_limited";
      case 431 -> "headers_too_large";
      default -> status >= 500 ? "internal" : "bad_request";
    };
  }

  private static String messageFor(HttpResponseException e) {
    return switch (e.getStatus()) {
      case 404 -> "no such route";
      case 405 -> "this method is not allowed on this route";
      case 413 -> "the request body is larger than " + RequestBody.MAX_BYTES / 1024 + " KiB";
      default -> e.getMessage() == null ? "the request was refused" : e.getMessage();
    };
  }

  /** The path as sent, shortened and stripped of anything unprintable, for error messages. */
  private static String path(Context ctx) {
    String p = ctx.path().replaceAll("[^\\x21-\\x7e]", "?");
    return p.length() > 100 ? p.substring(0, 100) + "..." : p;
  }

  private static byte[] resource(String name) {
    try (InputStream in = AdminServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the admin jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    app.stop();
  }
}
