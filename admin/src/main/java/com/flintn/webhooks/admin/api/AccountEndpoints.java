package com.flintn.webhooks.admin.api;

import com.flintn.webhooks.admin.changes.EndpointChanges;
import com.flintn.webhooks.admin.changes.EndpointChanges.Result;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointId;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The caller's endpoints as the routes see them: only its own account's (another account's endpoint
 * is answered exactly like a missing one), read from a view that is up to date with the table, and
 * the API errors that changes come back as.
 */
final class AccountEndpoints {
  static final String ACCOUNT = "flintn.account";
  private static final Duration READ_SYNC = Duration.ofSeconds(5);

  private final EndpointView view;
  private final EndpointChanges changes;

  AccountEndpoints(EndpointView view, EndpointChanges changes) {
    this.view = view;
    this.changes = changes;
  }

  /** The endpoint of the path, if it belongs to the caller's account; a 404 otherwise. */
  Endpoint owned(Context ctx) {
    String raw = ctx.pathParam("id");
    EndpointId id;
    try {
      id = EndpointId.of(raw);
    } catch (IllegalArgumentException e) {
      throw notFound(raw);
    }
    return view.get(id)
        .filter(e -> e.accountId().equals(account(ctx)))
        .orElseThrow(() -> notFound(raw));
  }

  private static ApiError notFound(String id) {
    String shown = id.length() > 64 || !id.matches("[A-Za-z0-9_-]*") ? "with that id" : id;
    return ApiError.notFound("no webhook endpoint " + shown + " in this account");
  }

  /** The endpoint a change produced, or the API error that says why there is none. */
  static Endpoint applied(Result r, String what) {
    return switch (r) {
      case Result.Applied a ->
          a.endpoint()
              .orElseThrow(
                  () -> ApiError.conflict("the endpoint was deleted while the " + what + " ran"));
      case Result.Rejected rej -> throw ApiError.conflict(humanReason(rej.reason()));
      case Result.Pending p ->
          throw ApiError.unavailable(
              "the "
                  + what
                  + " was queued but not applied in time; the endpoint-state service may be"
                  + " down. Check the endpoint again shortly before retrying.");
    };
  }

  /** Rejection reasons read "reactivate: a revoked endpoint ..."; the API speaks in sentences. */
  private static String humanReason(String reason) {
    if (reason == null) {
      return "the change was refused";
    }
    int colon = reason.indexOf(": ");
    String text = colon > 0 ? reason.substring(colon + 2) : reason;
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  /** Waits until the view has read the table's committed end (bounded); 503 if it cannot. */
  void syncForRead() {
    try {
      changes.sync(READ_SYNC);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiError.unavailable("the request was interrupted");
    } catch (TimeoutException | ExecutionException e) {
      throw ApiError.unavailable(
          "the endpoint table could not be read up to date within "
              + READ_SYNC.toSeconds()
              + " s; Kafka may be unavailable. Retry shortly.");
    }
  }

  /** The account of the caller's API key, set by {@link AdminServer}; 401 without one. */
  static AccountId account(Context ctx) {
    AccountId a = ctx.attribute(ACCOUNT);
    if (a == null) {
      throw ApiError.unauthorized("missing Authorization: Bearer <api key> header");
    }
    return a;
  }
}
