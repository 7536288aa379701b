package com.flintn.webhooks.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.flintn.webhooks.common.message.AttemptOutcome;
import com.flintn.webhooks.faults.Ledger.Pair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The judgement of one fault run: waits until every expected delivery has a terminal state (or the
 * time runs out), then holds the ledger against the receiver's log.
 */
final class Verdict {
  final Ledger ledger;
  final Set<Pair> expected;
  final Set<Pair> missing;
  final ReceiverLog log;
  final long drainMillis;

  private Verdict(Ledger ledger, Set<Pair> expected, ReceiverLog log, long drainMillis) {
    this.ledger = ledger;
    this.expected = expected;
    this.missing = ledger.missing(expected);
    this.log = log;
    this.drainMillis = drainMillis;
  }

  static Verdict await(FaultRig rig, Map<String, String> events, ReceiverLog log, Duration timeout)
      throws InterruptedException {
    Set<Pair> expected = Ledger.expected(events, rig.subscriptions());
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      Ledger l = Ledger.read(rig);
      if (l.missing(expected).isEmpty() || System.nanoTime() > deadline) {
        return new Verdict(l, expected, log, (System.nanoTime() - start) / 1_000_000);
      }
      Thread.sleep(1_000);
    }
  }

  void print(String title, Load load, List<String> notes) {
    Map<AttemptOutcome, Integer> by = ledger.countByOutcome();
    String line =
        "FAULTS "
            + title
            + ": events acked "
            + load.acked().size()
            + " (not acked "
            + load.failed()
            + "), deliveries "
            + expected.size()
            + ", terminal "
            + by
            + ", missing "
            + missing.size()
            + ", contradictory "
            + ledger.conflicting().size()
            + ", repeated terminal records "
            + ledger.duplicateTerminals()
            + ", repeated 2xx at the receiver "
            + log.duplicateSuccesses()
            + ", deferred "
            + ledger.deferrals
            + ", repeated due records "
            + ledger.extraDueRecords
            + ", requests "
            + log.answers().size()
            + ", drained in "
            + drainMillis
            + " ms"
            + (ledger.duplicateTerminals() == 0
                ? ""
                : ", repeats by second of the run " + ledger.repeatsOverTime(load.startMillis, 5))
            + (ledger.duplicateTerminals() == 0
                ? ""
                : ", for example "
                    + ledger.terminals.entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .limit(3)
                        .map(e -> e.getKey() + " " + ledger.history.get(e.getKey()))
                        .toList())
            + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
    System.out.println(line);
    try {
      Files.createDirectories(FaultRig.TARGET);
      Files.writeString(
          FaultRig.TARGET.resolve("faults-summary.txt"),
          line + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void assertNothingLostOrContradictory() {
    assertThat(missing)
        .as(
            "deliveries with no terminal state (lost); what was recorded for the first of them: %s",
            missing.stream()
                .limit(5)
                .map(p -> p + " " + ledger.history.getOrDefault(p, List.of("nothing")))
                .toList())
        .isEmpty();
    assertThat(ledger.conflicting()).as("deliveries with two kinds of terminal state").isEmpty();
    assertThat(ledger.deadLetterMismatches()).as("dead letters against attempt records").isEmpty();
    assertThat(ledger.terminals.keySet().stream().filter(p -> !expected.contains(p)).toList())
        .as("terminal records of deliveries no event implies")
        .isEmpty();
    Map<Pair, Integer> successes = log.successes();
    assertThat(
            ledger.terminals.entrySet().stream()
                .filter(e -> e.getValue().contains(AttemptOutcome.DELIVERED))
                .map(Map.Entry::getKey)
                .filter(p -> !successes.containsKey(p))
                .toList())
        .as("recorded as delivered, but the receiver never answered them with a 2xx")
        .isEmpty();
  }
}
