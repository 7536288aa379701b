package com.flintn.webhooks.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Module boundaries and time rules of STYLE.md, checked over every production class. */
class ArchitectureTest {
  private static final JavaClasses PRODUCT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("com.flintn.webhooks");

  @Test
  void rulesSeeEveryModule() {
    org.assertj.core.api.Assertions.assertThat(
            PRODUCT.stream().map(c -> c.getPackageName().split("\\.")[3]).distinct())
        .contains(
            "common", "kafka", "dispatcher", "scheduler", "endpointstate", "admin", "launcher");
  }

  @Test
  void commonsPackagesHaveNoCycles() {
    slices()
        .matching("com.flintn.webhooks.common.(*)..")
        .should()
        .beFreeOfCycles()
        .because(
            "common's packages layer (messages and durations below topics, topics below"
                + " configuration); a type two packages share belongs in the lower one")
        .check(PRODUCT);
  }

  @Test
  void everyModulesPackagesHaveNoCycles() {
    slices()
        .matching("com.flintn.webhooks.(*).(*)..")
        .should()
        .beFreeOfCycles()
        .because("a package cycle inside a module is the start of one that cannot be split")
        .check(PRODUCT);
  }

  @Test
  void onlyTheDispatcherMakesOutboundHttpCalls() {
    noClasses()
        .that()
        .resideOutsideOfPackage("com.flintn.webhooks.dispatcher.http..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("okhttp3.OkHttpClient")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("okhttp3.Call")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.net.http.HttpClient")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.net.HttpURLConnection")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("javax.net.ssl.SSLSocketFactory")
        .because(
            "customer endpoints are reached only through WebhookSender, which applies the URL"
                + " guard, TLS checks and timeouts; send through it instead")
        .check(PRODUCT);
  }

  @Test
  void timeComesFromAnInjectedClock() {
    noClasses()
        .should()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(OffsetDateTime.class, "now")
        .orShould()
        .callMethod(LocalDateTime.class, "now")
        .because("tests control time through java.time.Clock; take a Clock in the constructor")
        .check(PRODUCT);
  }

  /**
   * Harnesses that ship as main code but are not the product: they measure and wait in real time on
   * purpose.
   */
  private static final String[] HARNESSES = {
    "com.flintn.webhooks.testkit..", "com.flintn.webhooks.bench.."
  };

  /**
   * Where the product reads the monotonic clock, and why. Each is a bound on a wait for another
   * party that runs in real time (a broker, another thread, a child process), or a measurement of
   * real elapsed time; an injected Clock is wall time, and a test's manual clock would never reach
   * such a deadline. The delivery and retry loops are not here: they read time only through their
   * Clock.
   */
  private static final Map<String, String> NANO_TIME_ALLOWED =
      Map.ofEntries(
          Map.entry(
              "com.flintn.webhooks.kafka.EmbeddedKafka",
              "bounds the wait for the broker it started to be ready"),
          Map.entry(
              "com.flintn.webhooks.common.endpoint.EndpointView",
              "bounds the wait for the endpoint table to catch up with the broker"),
          Map.entry(
              "com.flintn.webhooks.common.topic.TopicCreator",
              "bounds the wait for new topics to appear on the broker"),
          Map.entry(
              "com.flintn.webhooks.common.topic.TopicFollower",
              "liveness: real time since the follower thread last polled"),
          Map.entry(
              "com.flintn.webhooks.admin.changes.EndpointChanges",
              "bounds an API request's wait for its endpoint change to be read back"),
          Map.entry(
              "com.flintn.webhooks.admin.dlq.DlqReader",
              "bounds an API request's read of the dead-letter topic"),
          Map.entry(
              "com.flintn.webhooks.admin.resend.RecordScan",
              "bounds a resend or recover request's read of a topic"),
          Map.entry(
              "com.flintn.webhooks.admin.dlq.ReplayLog",
              "bounds an API request's wait for the replay log"),
          Map.entry(
              "com.flintn.webhooks.admin.dlq.DlqReplayer",
              "paces a replay at the operator's rate and closes batches after real time"),
          Map.entry(
              "com.flintn.webhooks.admin.api.AdminServer",
              "times each request for the request-duration metric"),
          Map.entry(
              "com.flintn.webhooks.admin.secrets.SecretsRekey",
              "bounds the reads of the endpoints table and the wait for the endpoint-state app"),
          Map.entry(
              "com.flintn.webhooks.launcher.ReplayProgress",
              "shows an operator the real rate of a running replay"),
          Map.entry(
              "com.flintn.webhooks.launcher.StandaloneCommand",
              "bounds the demo's waits for the processes it started"));

  /**
   * Where the product pauses its thread, and why. A pause reads no time, but in a loop it hides a
   * wait that a test cannot shorten, so each is named: a short back-off after a broker error, or
   * the step of a bounded wait whose deadline is read elsewhere.
   */
  private static final Map<String, String> SLEEP_ALLOWED =
      Map.of(
          "com.flintn.webhooks.dispatcher.consume.DeliveryLoop",
          "backs off after a poll error and steps while a revoke drains; deadlines come from the"
              + " Clock",
          "com.flintn.webhooks.scheduler.tier.DueRetryMover",
          "backs off while the broker is away; due times come from the Clock",
          "com.flintn.webhooks.common.topic.TopicFollower",
          "backs off after a failed poll",
          "com.flintn.webhooks.common.topic.TopicCreator",
          "steps while topics appear on the broker",
          "com.flintn.webhooks.admin.dlq.ReplayLog",
          "steps while the replay log is read",
          "com.flintn.webhooks.admin.dlq.DlqReplayer",
          "paces a replay at the operator's rate",
          "com.flintn.webhooks.launcher.StandaloneCommand",
          "steps while the demo's processes start and deliver");

  /** A class named in {@code allowed}, or one nested in it (lambdas and inner classes). */
  private static DescribedPredicate<JavaClass> namedIn(Map<String, String> allowed) {
    return DescribedPredicate.describe(
        "are named in " + allowed.keySet(),
        c -> {
          String name = c.getName();
          int nested = name.indexOf('$');
          return allowed.containsKey(nested < 0 ? name : name.substring(0, nested));
        });
  }

  @Test
  void everyNamedExceptionIsAProductClass() {
    org.assertj.core.api.Assertions.assertThat(NANO_TIME_ALLOWED.keySet())
        .allMatch(PRODUCT::contain);
    org.assertj.core.api.Assertions.assertThat(SLEEP_ALLOWED.keySet()).allMatch(PRODUCT::contain);
  }

  @Test
  void monotonicTimeOnlyWhereARealWaitIsBounded() {
    noClasses()
        .that()
        .resideOutsideOfPackages(HARNESSES)
        .and(DescribedPredicate.not(namedIn(NANO_TIME_ALLOWED)))
        .should()
        .callMethod(System.class, "nanoTime")
        .because(
            "the loops read time only through the injected java.time.Clock, so tests can move it;"
                + " a bound on a real wait belongs in NANO_TIME_ALLOWED with its reason")
        .check(PRODUCT);
  }

  @Test
  void threadsPauseOnlyWhereAPauseIsNamed() {
    noClasses()
        .that()
        .resideOutsideOfPackages(HARNESSES)
        .and(DescribedPredicate.not(namedIn(SLEEP_ALLOWED)))
        .should()
        .callMethod(Thread.class, "sleep", long.class)
        .orShould()
        .callMethod(Thread.class, "sleep", long.class, int.class)
        .orShould()
        .callMethod(Thread.class, "sleep", Duration.class)
        .orShould()
        .callMethod(TimeUnit.class, "sleep", long.class)
        .because(
            "a pause is a wait a test cannot shorten; wait on the event itself (a future, a"
                + " condition, poll's timeout) or name the pause in SLEEP_ALLOWED with its reason")
        .check(PRODUCT);
  }
}
