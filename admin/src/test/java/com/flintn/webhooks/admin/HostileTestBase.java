package com.flintn.webhooks.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every hostile-input test class shares: its own admin server and accounts ({@link
 * HostileRig}) for each test, and after the hostile requests the check that the server still
 * answers /health and a normal read.
 */
abstract class HostileTestBase {
  private final String prefix;
  protected HostileRig rig;

  protected HostileTestBase(String prefix) {
    this.prefix = prefix;
  }

  @BeforeEach
  void start() throws Exception {
    rig = new HostileRig(prefix);
  }

  @AfterEach
  void serverIsStillHealthy() throws Exception {
    try {
      rig.assertServerIsHealthy();
    } finally {
      rig.close();
    }
  }
}
