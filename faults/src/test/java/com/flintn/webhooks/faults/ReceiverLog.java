package com.flintn.webhooks.faults;

import com.flintn.webhooks.testkit.HttpsReceiver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * The receiver's side of the story: every request it got, for which delivery and attempt, and the
 * behaviour it chose. Endpoints are told apart by path ({@code /<endpoint id>}).
 */
final class ReceiverLog {
  /** How the receiver answered one request. */
  enum Behaviour {
    OK_200(true),
    ERROR_500(false),
    TOO_MANY_429(false),
    BAD_REQUEST_400(false),
    GONE_410(false),
    HANG(false),
    RESET(false),
    SLOW_BODY_200(true),
    /** A 200 whose headers come only after a delay the test chooses. */
    LATE_200(true),
    /** Takes the request and never answers, until the client gives up and closes. */
    STALL(false);

    final boolean success;

    Behaviour(boolean success) {
      this.success = success;
    }
  }

  record Answer(Ledger.Pair pair, int attempt, Behaviour behaviour, long atMillis) {}

  /** Chooses a behaviour for a request; {@code attempt} is {@code X-Delivery-Attempt}. */
  interface Policy {
    Behaviour choose(Ledger.Pair pair, int attempt);
  }

  private final ConcurrentLinkedDeque<Answer> answers = new ConcurrentLinkedDeque<>();
  private final Map<Ledger.Pair, Integer> successes = new ConcurrentHashMap<>();

  void install(HttpsReceiver receiver, Policy policy, Function<Behaviour, MockResponse> responses) {
    receiver.respondWith(
        r -> {
          String endpoint = r.path().substring(1);
          Ledger.Pair pair = new Ledger.Pair(r.header("X-Event-Id"), endpoint);
          int attempt = Integer.parseInt(r.header("X-Delivery-Attempt"));
          Behaviour b = policy.choose(pair, attempt);
          answers.add(new Answer(pair, attempt, b, System.currentTimeMillis()));
          if (b.success) {
            successes.merge(pair, 1, Integer::sum);
          }
          return responses.apply(b);
        });
  }

  /**
   * The answer for {@code b}; {@link Behaviour#LATE_200} comes after {@code late}, a hang after 6 s
   * (past the product's HTTP timeout in these tests).
   */
  static MockResponse respond(Behaviour b, Duration late) {
    MockResponse.Builder r = new MockResponse.Builder();
    return switch (b) {
      case OK_200 -> r.code(200).body("ok").build();
      case ERROR_500 -> r.code(500).body("boom").build();
      case TOO_MANY_429 -> r.code(429).addHeader("Retry-After", "1").body("slow down").build();
      case BAD_REQUEST_400 -> r.code(400).body("bad").build();
      case GONE_410 -> r.code(410).body("gone").build();
      case HANG -> r.code(200).headersDelay(6, TimeUnit.SECONDS).body("late").build();
      case RESET -> r.onResponseStart(new SocketEffect.CloseSocket()).build();
      case SLOW_BODY_200 ->
          r.code(200).body("x".repeat(64)).throttleBody(8, 100, TimeUnit.MILLISECONDS).build();
      case LATE_200 ->
          r.code(200).headersDelay(late.toMillis(), TimeUnit.MILLISECONDS).body("late").build();
      case STALL -> r.onResponseStart(SocketEffect.Stall.INSTANCE).build();
    };
  }

  List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Requests answered with a 200 (at once or with a slow body), per delivery. */
  Map<Ledger.Pair, Integer> successes() {
    return Map.copyOf(successes);
  }

  /** Successful answers beyond the first for each delivery: what receivers de-duplicate. */
  int duplicateSuccesses() {
    return successes.values().stream().mapToInt(n -> n - 1).sum();
  }

  /** The last request time seen, or 0. */
  long lastAtMillis() {
    Answer last = answers.peekLast();
    return last == null ? 0 : last.atMillis();
  }
}
