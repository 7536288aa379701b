package com.flintn.webhooks.faults;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.common.message.AttemptRecord;
import com.flintn.webhooks.common.message.Delivery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the system recorded for each (event, endpoint) delivery, read from {@code webhooks.attempts}
 * and {@code webhooks.dlq} with read_committed: its terminal attempt records (delivered, dead
 * lettered, dropped because inactive, rejected unsafe url) and its dead letters.
 */
final class Ledger {
  record Pair(String eventId, String endpointId) {
    @Override
    public String toString() {
      return eventId + "->" + endpointId;
    }
  }

  final Map<Pair, List<AttemptOutcome>> terminals = new HashMap<>();
  final Map<Pair, Integer> deadLetters = new HashMap<>();
  final Map<Pair, List<Long>> terminalTimes = new HashMap<>();
  final Map<Pair, List<String>> history = new HashMap<>();

  /**
   * Due-topic records of one (delivery, attempt) beyond the first and beyond its deferrals: retry
   * records written again by a dispatcher that redid its in-flight window after a crash.
   */
  int extraDueRecords;

  int deferrals;

  static Ledger read(FaultRig rig) {
    Ledger l = new Ledger();
    Map<String, Integer> deferred = new HashMap<>();
    for (AttemptRecord a : rig.values(rig.topics().attempts())) {
      Pair p = new Pair(a.eventId().value(), a.endpointId().value());
      l.history
          .computeIfAbsent(p, k -> new ArrayList<>())
          .add(
              "attempt "
                  + a.attempt()
                  + " "
                  + a.outcome().wireName()
                  + " "
                  + (a.status() != null ? a.status() : a.error())
                  + " at "
                  + a.startedAt());
      if (a.outcome().isTerminal()) {
        l.terminals.computeIfAbsent(p, k -> new ArrayList<>()).add(a.outcome());
        l.terminalTimes
            .computeIfAbsent(p, k -> new ArrayList<>())
            .add(a.startedAt().toEpochMilli());
      } else if (a.outcome() == AttemptOutcome.DEFERRED_ENDPOINT_BUSY) {
        deferred.merge(a.deliveryId().value() + "#" + a.attempt(), 1, Integer::sum);
        l.deferrals++;
      }
    }
    Map<String, Integer> due = new HashMap<>();
    for (Delivery d : rig.values(rig.topics().deliveriesDue())) {
      due.merge(d.deliveryId().value() + "#" + d.attempt(), 1, Integer::sum);
    }
    due.forEach((k, n) -> l.extraDueRecords += Math.max(0, n - 1 - deferred.getOrDefault(k, 0)));
    for (Delivery d : rig.values(rig.topics().dlq())) {
      l.deadLetters.merge(
          new Pair(d.event().eventId().value(), d.endpointId().value()), 1, Integer::sum);
    }
    return l;
  }

  /** Every delivery the events imply: each event to each endpoint subscribed to its type. */
  static Set<Pair> expected(Map<String, String> eventTypes, Map<String, List<String>> subs) {
    Set<Pair> out = new LinkedHashSet<>();
    eventTypes.forEach(
        (event, type) ->
            subs.forEach(
                (endpoint, types) -> {
                  if (types.contains(type) || types.contains("*")) {
                    out.add(new Pair(event, endpoint));
                  }
                }));
    return out;
  }

  Set<Pair> missing(Set<Pair> expected) {
    Set<Pair> out = new LinkedHashSet<>();
    for (Pair p : expected) {
      if (!terminals.containsKey(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Deliveries that ended in more than one kind of terminal state. */
  Map<Pair, Set<AttemptOutcome>> conflicting() {
    Map<Pair, Set<AttemptOutcome>> out = new TreeMap<>(Comparator.comparing(Pair::toString));
    terminals.forEach(
        (p, list) -> {
          Set<AttemptOutcome> kinds = EnumSet.copyOf(list);
          if (kinds.size() > 1) {
            out.put(p, kinds);
          }
        });
    return out;
  }

  /** Terminal records beyond the first for each delivery (at-least-once repeats). */
  int duplicateTerminals() {
    return terminals.values().stream().mapToInt(l -> l.size() - 1).sum();
  }

  /**
   * Dead-lettered deliveries without a dead letter, or dead letters of deliveries not ending so.
   */
  List<String> deadLetterMismatches() {
    List<String> out = new ArrayList<>();
    terminals.forEach(
        (p, list) -> {
          if (list.contains(AttemptOutcome.DEAD_LETTERED) && !deadLetters.containsKey(p)) {
            out.add(p + " dead_lettered without a dead letter");
          }
        });
    deadLetters.forEach(
        (p, n) -> {
          List<AttemptOutcome> t = terminals.get(p);
          if (t == null || !t.contains(AttemptOutcome.DEAD_LETTERED)) {
            out.add(p + " has a dead letter but ended " + t);
          }
        });
    return out;
  }

  /**
   * When the repeats happened: repeated terminal records counted by the second of {@code
   * sinceMillis} they started in, in buckets of {@code bucketSeconds}.
   */
  Map<Long, Integer> repeatsOverTime(long sinceMillis, int bucketSeconds) {
    Map<Long, Integer> out = new TreeMap<>();
    terminalTimes.values().stream()
        .filter(t -> t.size() > 1)
        .forEach(
            t ->
                t.stream()
                    .sorted()
                    .skip(1)
                    .forEach(
                        at ->
                            out.merge(
                                (at - sinceMillis) / 1000 / bucketSeconds * bucketSeconds,
                                1,
                                Integer::sum)));
    return out;
  }

  Map<AttemptOutcome, Integer> countByOutcome() {
    Map<AttemptOutcome, Integer> out = new TreeMap<>();
    terminals.values().forEach(l -> out.merge(l.get(0), 1, Integer::sum));
    return out;
  }
}
