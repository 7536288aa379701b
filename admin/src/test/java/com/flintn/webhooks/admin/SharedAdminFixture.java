package com.flintn.webhooks.admin;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * A test class whose tests share one {@link AdminFixture}, named after the class: started before
 * its first test (before the class's own {@code @BeforeAll}, which may add to it) and closed after
 * its last (after the class's own {@code @AfterAll}). Test classes run one after the other, so one
 * field serves them all.
 */
abstract class SharedAdminFixture {
  static AdminFixture f;

  @BeforeAll
  static void startAdminFixture(TestInfo test) throws Exception {
    f = new AdminFixture(test.getTestClass().orElseThrow().getSimpleName());
  }

  @AfterAll
  static void closeAdminFixture() {
    if (f != null) {
      f.close();
      f = null;
    }
  }
}
