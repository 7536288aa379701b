package com.flintn.webhooks.admin.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.flintn.webhooks.common.guard.Cidr;
import com.flintn.webhooks.common.guard.UrlGuard;
import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.Event;
import com.flintn.webhooks.common.message.Printable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and checks the bodies of create and update requests. Every refusal is an {@link ApiError}
 * naming the field: malformed JSON is a 400, a well-formed body with a wrong or unknown field a
 * 422.
 */
public final class EndpointRequests {
  static final int MAX_NAME = 100;
  static final int MAX_URL = 2048;
  static final int MAX_EVENT_TYPES = 100;
  private static final Set<String> FIELDS = Set.of("name", "url", "event_types", "rate_limit");
  private static final Set<String> REQUIRED = Set.of("name", "url", "event_types");
  private static final ObjectMapper JSON = Json.mapper();
  private static final Logger log = LoggerFactory.getLogger(EndpointRequests.class);

  /** A checked create request; {@code rateLimit} null is no limit. */
  record Create(String name, String url, List<String> eventTypes, @Nullable Integer rateLimit) {}

  /**
   * A checked update: null means "leave as it is"; {@code rateLimit} 0 removes the limit (the
   * request sent {@code "rate_limit": null}).
   */
  record Update(
      @Nullable String name,
      @Nullable String url,
      @Nullable List<String> eventTypes,
      @Nullable Integer rateLimit) {}

  private final UrlGuard guard;
  private final HostResolver resolver;

  /** Looks up every address of a host name; a seam for tests of names that resolve privately. */
  interface HostResolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  EndpointRequests(UrlGuard guard, HostResolver resolver) {
    this.guard = guard;
    this.resolver = resolver;
  }

  /** The checks with the configured URL guard and the system's resolver. */
  public static EndpointRequests withGuard(List<Cidr> urlGuardAllow) {
    return new EndpointRequests(new UrlGuard(urlGuardAllow), InetAddress::getAllByName);
  }

  Create create(byte[] body) {
    JsonNode o = object(body);
    for (String f : REQUIRED) {
      if (!o.has(f) || o.get(f).isNull()) {
        throw ApiError.invalid(f + " is required");
      }
    }
    Integer limit = o.has("rate_limit") ? rateLimit(o.get("rate_limit")) : null;
    return new Create(
        name(o.get("name")),
        url(o.get("url")),
        eventTypes(o.get("event_types")),
        limit == null || limit == 0 ? null : limit);
  }

  Update update(byte[] body) {
    JsonNode o = object(body);
    if (o.isEmpty()) {
      throw ApiError.invalid(
          "nothing to change: send at least one of name, url, event_types, rate_limit");
    }
    return new Update(
        o.has("name") ? name(o.get("name")) : null,
        o.has("url") ? url(o.get("url")) : null,
        o.has("event_types") ? eventTypes(o.get("event_types")) : null,
        o.has("rate_limit") ? rateLimit(o.get("rate_limit")) : null);
  }

  private static JsonNode object(byte[] body) {
    if (body.length == 0) {
      throw ApiError.badRequest("the request needs a JSON object body");
    }
    JsonNode o;
    try {
      o = JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.badRequest(
          e.getLocation() == null
              ? "the body is not valid JSON or is too deeply nested"
              : "the body is not valid JSON (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")");
    } catch (IOException e) {
      throw ApiError.badRequest("the body could not be read");
    }
    if (o == null || !o.isObject()) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    Iterator<String> names = o.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!FIELDS.contains(n)) {
        throw ApiError.invalid(
            "unknown field "
                + Printable.quote(n)
                + "; the fields are name, url, event_types and rate_limit");
      }
    }
    return o;
  }

  private static String name(JsonNode n) {
    if (n == null || !n.isTextual()) {
      throw ApiError.invalid("name must be a string of 1 to " + MAX_NAME + " characters");
    }
    String name = n.asText().strip();
    if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_NAME) {
      throw ApiError.invalid("name must be 1 to " + MAX_NAME + " characters");
    }
    if (!Printable.isPlainText(name)) {
      throw ApiError.invalid(
          "name must not contain control characters, line or paragraph separators, direction"
              + " overrides or unpaired surrogates");
    }
    return name;
  }

  private String url(JsonNode n) {
    if (n == null || !n.isTextual()) {
      throw ApiError.invalid("url must be a string such as https://example.com/webhooks");
    }
    String url = n.asText().strip();
    if (url.length() > MAX_URL) {
      throw ApiError.invalid("url must be at most " + MAX_URL + " characters");
    }
    if (!Printable.isPlainText(url)) {
      throw ApiError.invalid(
          "url must not contain control characters, line or paragraph separators, direction"
              + " overrides or unpaired surrogates; percent-encode what the path needs");
    }
    if (url.regionMatches(true, 0, "http://", 0, 7)) {
      throw ApiError.invalid("url must use https://; plain http:// is not accepted");
    }
    Optional<String> refusal = guard.refusal(url);
    if (refusal.isPresent()) {
      throw ApiError.invalid("url is refused: " + refusal.get());
    }
    String host = URI.create(url).getHost();
    if (!host.startsWith("[")) {
      // Refuse a name now if it points at private space; the dispatcher checks again at every
      // connect. A name that does not resolve yet is accepted.
      try {
        for (InetAddress a : resolver.resolve(host)) {
          Optional<String> r = guard.refusal(a);
          if (r.isPresent()) {
            // The answer is the operator's to know, not the tenant's: it maps the network.
            log.warn("refused a webhook URL: {} resolves to a blocked address: {}", host, r.get());
            throw ApiError.invalid("url is refused: " + UrlGuard.BLOCKED_RESOLUTION);
          }
        }
      } catch (UnknownHostException unresolved) {
        // accepted; delivery fails and is retried until the name resolves
      }
    }
    return url;
  }

  /**
   * A rate limit in events per second: an integer from {@link Endpoint#MIN_RATE_LIMIT} to {@link
   * Endpoint#MAX_RATE_LIMIT}, or null for none (returned as 0).
   */
  private static int rateLimit(JsonNode n) {
    if (n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber()
        || !n.canConvertToInt()
        || n.asInt() < Endpoint.MIN_RATE_LIMIT
        || n.asInt() > Endpoint.MAX_RATE_LIMIT) {
      throw ApiError.invalid(
          "rate_limit must be a whole number of events per second from "
              + Endpoint.MIN_RATE_LIMIT
              + " to "
              + Endpoint.MAX_RATE_LIMIT
              + ", or null for no limit");
    }
    return n.asInt();
  }

  private static List<String> eventTypes(JsonNode n) {
    if (n == null || !n.isArray() || n.isEmpty()) {
      throw ApiError.invalid(
          "event_types must be a non-empty list such as [\"order.created\"], or [\"*\"] for all");
    }
    if (n.size() > MAX_EVENT_TYPES) {
      throw ApiError.invalid("event_types may list at most " + MAX_EVENT_TYPES + " types");
    }
    Set<String> types = new LinkedHashSet<>();
    for (JsonNode t : n) {
      if (!t.isTextual()) {
        throw ApiError.invalid("event_types must hold strings, got " + t.getNodeType());
      }
      String type = t.asText();
      if (!type.equals(Endpoint.ALL_EVENT_TYPES) && !Event.isValidType(type)) {
        throw ApiError.invalid(
            "event_types: "
                + Printable.quote(type)
                + " is not a dotted name such as order.created (or * for all)");
      }
      types.add(type);
    }
    if (types.contains(Endpoint.ALL_EVENT_TYPES) && types.size() > 1) {
      throw ApiError.invalid("event_types: \"*\" already covers every type; send it alone");
    }
    return new ArrayList<>(types);
  }
}
