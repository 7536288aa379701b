package com.flintn.webhooks.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Module boundaries of STYLE.md, checked over every production class. */
class ArchitectureTest {
  private static final JavaClasses PRODUCT =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("com.flintn.webhooks");

  @Test
  void rulesSeeEveryModule() {
    org.assertj.core.api.Assertions.assertThat(
            PRODUCT.stream().map(c -> c.getPackageName().split("\\.")[3]).distinct())
        .contains("common", "kafka", "dispatcher", "scheduler", "admin", "launcher");
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
        .because(
            "customer endpoints are reached only through WebhookSender, which applies the URL"
                + " guard, TLS checks and timeouts; send through it instead")
        .check(PRODUCT);
  }

  @Test
  void timeComesFromAnInjectedClock() {
    noClasses()
        .should()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.OffsetDateTime.class, "now")
        .orShould()
        .callMethod(java.time.LocalDateTime.class, "now")
        .because("tests control time through java.time.Clock; take a Clock in the constructor")
        .check(PRODUCT);
  }
}
