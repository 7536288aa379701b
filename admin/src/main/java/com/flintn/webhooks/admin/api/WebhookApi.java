package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flintn.webhooks.admin.attempts.AttemptLog;
import com.flintn.webhooks.admin.changes.EndpointChanges;
import com.flintn.webhooks.admin.changes.EndpointChanges.Result;
import com.flintn.webhooks.admin.deliveries.DeliverySearch;
import com.flintn.webhooks.admin.dlq.ReplayLog;
import com.flintn.webhooks.admin.notifications.NotificationLog;
import com.flintn.webhooks.admin.resend.Resends;
import com.flintn.webhooks.common.config.FlintnConfig.KafkaConfig;
import com.flintn.webhooks.common.endpoint.EndpointView;
import com.flintn.webhooks.common.event.OperationalEvents;
import com.flintn.webhooks.common.eventtype.EventTypeNames;
import com.flintn.webhooks.common.eventtype.EventTypeView;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.Printable;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.topic.TopicCatalog;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code /v1/webhooks} routes of docs/design.md §10. Every route acts for the account of the
 * caller's API key (set by {@link AdminServer}); an endpoint of another account is answered exactly
 * like one that does not exist. Reads first wait for the endpoint view to catch up with the table,
 * and writes wait until the view shows them, so a read after a write sees it.
 */
public final class WebhookApi {
  /** One route: what {@link AdminServer} registers and {@code /openapi.json} must describe. */
  public record Route(HandlerType method, String path, Handler handler) {}

  private static final String ID_CHARS =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private final EndpointView view;
  private final EndpointChanges changes;
  private final AccountEndpoints endpoints;
  private final AttemptLog attempts;
  private final EndpointRequests requests;
  private final EndpointQuota quota;
  private final TestEvents testEvents;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final DeadLetterApi deadLetters;
  private final ResendApi resends;
  private final EventTypeView eventTypes;
  private final NotificationApi notifications;
  private final DeliveryApi deliveries;

  /**
   * @param eventTypes the event-type catalogue: {@code GET /v1/event-types} lists it, and creates
   *     and updates refuse a type it does not hold (unless it is empty)
   * @param deliveries the index {@code GET /v1/deliveries} searches
   */
  public WebhookApi(
      EndpointView view,
      EndpointChanges changes,
      AttemptLog attempts,
      EndpointRequests requests,
      EndpointQuota quota,
      TestEvents testEvents,
      KafkaConfig kafka,
      TopicCatalog topics,
      ReplayLog replayLog,
      Clock clock,
      EventTypeView eventTypes,
      NotificationLog notificationLog,
      DeliverySearch deliveries) {
    this.notifications = new NotificationApi(notificationLog);
    this.view = view;
    this.deliveries = new DeliveryApi(deliveries, clock);
    this.eventTypes = eventTypes;
    this.changes = changes;
    this.attempts = attempts;
    this.requests = requests;
    this.quota = quota;
    this.testEvents = testEvents;
    this.clock = clock;
    this.endpoints = new AccountEndpoints(view, changes);
    this.deadLetters =
        new DeadLetterApi(
            kafka,
            topics,
            view,
            replayLog,
            ctx -> {
              endpoints.syncForRead();
              return endpoints.owned(ctx);
            },
            clock);
    this.resends =
        new ResendApi(
            new Resends(kafka, topics, replayLog, clock, Duration.ofSeconds(10)),
            attempts,
            ctx -> {
              endpoints.syncForRead();
              return endpoints.owned(ctx);
            },
            clock);
  }

  public List<Route> routes() {
    String one = "/v1/webhooks/{id}";
    List<Route> all =
        new ArrayList<>(
            List.of(
                new Route(HandlerType.GET, "/v1/webhooks", this::list),
                new Route(HandlerType.POST, "/v1/webhooks", this::create),
                new Route(HandlerType.GET, one, this::get),
                new Route(HandlerType.PATCH, one, this::update),
                new Route(
                    HandlerType.POST,
                    one + "/disable",
                    ctx -> status(ctx, EndpointChange.Type.DISABLE)),
                new Route(
                    HandlerType.POST,
                    one + "/reactivate",
                    ctx -> status(ctx, EndpointChange.Type.REACTIVATE)),
                new Route(
                    HandlerType.POST,
                    one + "/revoke",
                    ctx -> status(ctx, EndpointChange.Type.REVOKE)),
                new Route(HandlerType.POST, one + "/rotate-secret", this::rotate),
                new Route(HandlerType.POST, one + "/test", this::test),
                new Route(HandlerType.GET, one + "/attempts", this::attempts),
                new Route(HandlerType.GET, "/v1/event-types", this::eventTypes)));
    all.addAll(deadLetters.routes());
    all.addAll(resends.routes());
    all.addAll(notifications.routes());
    all.addAll(deliveries.routes());
    return List.copyOf(all);
  }

  /** The per-account slots of dead-letter reads; for tests that hold an account's reads. */
  public AutoCloseable holdDeadLetterReads(AccountId account) {
    return deadLetters.listSlots().take(account);
  }

  private void list(Context ctx) throws Exception {
    AccountId account = AccountEndpoints.account(ctx);
    endpoints.syncForRead();
    List<ObjectNode> items =
        view.ofAccount(account).stream()
            .sorted(
                Comparator.comparing(
                        Endpoint::createdAt, Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(e -> e.endpointId().value()))
            .map(e -> ApiJson.endpoint(e, clock.instant()))
            .toList();
    json(ctx, 200, ApiJson.list(items));
  }

  private void get(Context ctx) throws Exception {
    endpoints.syncForRead();
    json(ctx, 200, ApiJson.endpoint(endpoints.owned(ctx), clock.instant()));
  }

  private void create(Context ctx) throws Exception {
    AccountId account = AccountEndpoints.account(ctx);
    EndpointRequests.Create c = requests.create(RequestBody.read(ctx));
    requireCatalogued(c.eventTypes(), List.of());
    EndpointId id = EndpointId.of("ep_" + randomId(24));
    Secret secret = Secret.generate();
    EndpointChange change =
        new EndpointChange(
            changeId(),
            EndpointChange.Type.CREATE,
            id,
            account,
            c.name(),
            c.url(),
            c.eventTypes(),
            secret,
            null,
            clock.instant(),
            c.rateLimit());
    Result r;
    EndpointQuota.Hold hold = quota.holdCreates(account);
    try {
      endpoints.syncForRead(); // counts every endpoint the account has, up to its last write
      quota.requireRoom(view.ofAccount(account));
      r = changes.apply(change);
    } finally {
      hold.release();
    }
    if (r instanceof Result.Pending) {
      throw ApiError.unavailable(
          "the create was queued but not applied in time; it may still appear as "
              + id.value()
              + ". GET /v1/webhooks/"
              + id.value()
              + " before creating again; if it appears, rotate its secret to get one.");
    }
    Endpoint created = AccountEndpoints.applied(r, "create");
    ObjectNode body = ApiJson.endpoint(created, clock.instant());
    body.put("secret", secret.reveal());
    ctx.header("Location", "/v1/webhooks/" + id.value());
    json(ctx, 201, body);
  }

  private void update(Context ctx) throws Exception {
    EndpointRequests.Update u = requests.update(RequestBody.read(ctx));
    endpoints.syncForRead();
    Endpoint current = endpoints.owned(ctx);
    if (u.eventTypes() != null) {
      requireCatalogued(u.eventTypes(), current.eventTypes());
    }
    EndpointChange change =
        new EndpointChange(
            changeId(),
            EndpointChange.Type.UPDATE,
            current.endpointId(),
            current.accountId(),
            u.name(),
            u.url(),
            u.eventTypes(),
            null,
            null,
            clock.instant(),
            u.rateLimit());
    json(
        ctx,
        200,
        ApiJson.endpoint(
            AccountEndpoints.applied(changes.apply(change), "update"), clock.instant()));
  }

  private void status(Context ctx, EndpointChange.Type type) throws Exception {
    RequestBody.requireNone(ctx);
    endpoints.syncForRead();
    Endpoint current = endpoints.owned(ctx);
    EndpointStatus target =
        switch (type) {
          case DISABLE -> EndpointStatus.DISABLED;
          case REACTIVATE -> EndpointStatus.ACTIVE;
          default -> EndpointStatus.REVOKED;
        };
    if (current.status() == target) { // already there: nothing to change, the same answer
      json(ctx, 200, ApiJson.endpoint(current, clock.instant()));
      return;
    }
    EndpointChange change =
        EndpointChange.of(
            changeId(), type, current.endpointId(), current.accountId(), clock.instant());
    Result r = changes.apply(change);
    if (r instanceof Result.Pending) {
      // A concurrent change (an automatic disable, say) may have reached the target first: the
      // endpoint-state app then has nothing to do and sends no answer.
      endpoints.syncForRead();
      Optional<Endpoint> now = view.get(current.endpointId());
      if (now.isPresent() && now.get().status() == target) {
        json(ctx, 200, ApiJson.endpoint(now.get(), clock.instant()));
        return;
      }
    }
    json(ctx, 200, ApiJson.endpoint(AccountEndpoints.applied(r, type.wireName()), clock.instant()));
  }

  private void rotate(Context ctx) throws Exception {
    RequestBody.requireNone(ctx);
    endpoints.syncForRead();
    Endpoint current = endpoints.owned(ctx);
    Secret secret = Secret.generate();
    EndpointChange change =
        new EndpointChange(
            changeId(),
            EndpointChange.Type.ROTATE_SECRET,
            current.endpointId(),
            current.accountId(),
            null,
            null,
            null,
            secret,
            null,
            clock.instant());
    Endpoint rotated = AccountEndpoints.applied(changes.apply(change), "rotate-secret");
    ObjectNode body = ApiJson.endpoint(rotated, clock.instant());
    body.put("secret", secret.reveal());
    json(ctx, 200, body);
  }

  private void test(Context ctx) throws Exception {
    RequestBody.requireNone(ctx);
    endpoints.syncForRead();
    Endpoint e = endpoints.owned(ctx);
    if (!e.isActive()) {
      throw ApiError.conflict(
          "the endpoint is "
              + e.status().wireName()
              + (e.status() == EndpointStatus.DISABLED
                  ? "; reactivate it before sending test events"
                  : " and receives nothing"));
    }
    json(ctx, 202, testEvents.send(e)); // a 429 past the account's rate; refusals above cost none
  }

  private void attempts(Context ctx) throws Exception {
    endpoints.syncForRead();
    Endpoint e = endpoints.owned(ctx);
    int limit = RequestFields.limit(ctx.queryParam("limit"), 50, 100);
    List<ObjectNode> items =
        attempts.recent(e.endpointId(), limit).stream().map(ApiJson::attempt).toList();
    json(ctx, 200, ApiJson.list(items));
  }

  /** The catalogue, by name: what a customer can subscribe to. */
  private void eventTypes(Context ctx) {
    AccountEndpoints.account(ctx);
    List<ObjectNode> items = eventTypes.all().stream().map(ApiJson::eventType).toList();
    json(ctx, 200, ApiJson.list(items));
  }

  /**
   * Refuses (422) a subscription to a type the catalogue does not hold, naming the closest one
   * where a typo is likely. {@code *}, an empty catalogue, types the endpoint already had (removed
   * from the catalogue since) and Flintn's own operational types (§4.1) pass.
   */
  private void requireCatalogued(List<String> requested, Collection<String> alreadySubscribed) {
    List<EventTypeNames.Unknown> unknown =
        EventTypeNames.unknown(
            requested.stream().filter(t -> !OperationalEvents.isOperational(t)).toList(),
            eventTypes.names(),
            alreadySubscribed);
    if (unknown.isEmpty()) {
      return;
    }
    StringBuilder m = new StringBuilder("event_types: ");
    for (int i = 0; i < unknown.size(); i++) {
      EventTypeNames.Unknown u = unknown.get(i);
      m.append(i == 0 ? "" : "; ")
          .append(Printable.quote(u.name()))
          .append(" is not an event type");
      u.suggestion()
          .ifPresent(s -> m.append(" (did you mean ").append(Printable.quote(s)).append("?)"));
    }
    m.append(". GET /v1/event-types lists the types you can subscribe to, or use \"*\" for all");
    throw ApiError.invalid(m.toString());
  }

  private String randomId(int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return b.toString();
  }

  private static String changeId() {
    return "chg_" + UUID.randomUUID();
  }

  static void json(Context ctx, int status, Object body) {
    ctx.status(status);
    ctx.contentType("application/json");
    ctx.result(Json.bytes(body));
  }
}
