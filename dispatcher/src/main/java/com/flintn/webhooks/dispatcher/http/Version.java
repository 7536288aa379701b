package com.flintn.webhooks.dispatcher.http;

/** The product version, from the jar manifest; {@code dev} when running from classes. */
final class Version {
  private Version() {}

  static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
