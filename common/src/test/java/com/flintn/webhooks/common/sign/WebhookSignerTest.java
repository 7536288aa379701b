package com.flintn.webhooks.common.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Vectors computed outside this code base: the Standard Webhooks specification's published example,
 * and values from Python's {@code hmac} module and {@code openssl dgst -hmac}.
 */
class WebhookSignerTest {
  private static final byte[] BODY =
      ("{\"event_id\":\"evt_1\",\"event_type\":\"order.created\",\"account_id\":\"acc_1\","
              + "\"created_at\":\"2026-11-27T10:00:00Z\",\"data\":{\"amount\":1250}}")
          .getBytes(StandardCharsets.UTF_8);
  private static final Secret SECRET = Secret.parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");

  @Test
  void primarySignatureMatchesPythonHmacAndOpenssl() {
    // printf '%s' "$BODY" | openssl dgst -sha256 -hmac 'whsec_C2FV...' -binary | base64
    assertThat(WebhookSigner.primarySignature(SECRET, BODY))
        .isEqualTo("i9bYoJwsNI6EmUvBFJkrnBWNRjU9g6IRqi48yEmFB+Y=");
  }

  @Test
  void standardSignatureMatchesTheSpecificationsPublishedExample() {
    Secret secret = Secret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    byte[] payload = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    assertThat(
            WebhookSigner.standardSignature(
                secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, payload))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void standardSignatureMatchesPythonHmac() {
    assertThat(WebhookSigner.standardSignature(SECRET, "evt_1", 1795773600L, BODY))
        .isEqualTo("v1,nm2tyieicYZowyw4dCEikmexXNc+PuuxxkyiSqEw9jA=");
  }

  @Test
  void verifierAcceptsAnyListedSignatureWithinToleranceAndRejectsOldTimestamps() {
    Instant now = Instant.ofEpochSecond(1795773600L);
    SignatureVerifier v =
        new SignatureVerifier(
            Clock.fixed(now, ZoneOffset.UTC), SignatureVerifier.DEFAULT_TOLERANCE);
    String good = WebhookSigner.standardSignature(SECRET, "evt_1", now.getEpochSecond(), BODY);
    assertThat(v.verifyStandard(SECRET, "evt_1", "1795773600", BODY, "v1,bm90IGl0 " + good))
        .isTrue();
    assertThat(v.verifyStandard(SECRET, "evt_2", "1795773600", BODY, good)).isFalse();
    SignatureVerifier later =
        new SignatureVerifier(
            Clock.fixed(now.plus(Duration.ofMinutes(6)), ZoneOffset.UTC),
            SignatureVerifier.DEFAULT_TOLERANCE);
    assertThat(later.verifyStandard(SECRET, "evt_1", "1795773600", BODY, good)).isFalse();
    assertThat(
            SignatureVerifier.verifyPrimary(
                SECRET, BODY, "i9bYoJwsNI6EmUvBFJkrnBWNRjU9g6IRqi48yEmFB+Y="))
        .isTrue();
    byte[] tampered = BODY.clone();
    tampered[tampered.length - 3]++;
    assertThat(
            SignatureVerifier.verifyPrimary(
                SECRET, tampered, "i9bYoJwsNI6EmUvBFJkrnBWNRjU9g6IRqi48yEmFB+Y="))
        .isFalse();
  }

  @Test
  void generatedSecretsAreWhsecWith32RandomBytesAndNeverPrintThemselves() {
    Secret a = Secret.generate();
    assertThat(a.reveal()).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(a.reveal().substring(6))).hasSize(32);
    assertThat(a.reveal()).isNotEqualTo(Secret.generate().reveal());
    assertThat(a.toString()).doesNotContain(a.reveal().substring(6));
  }

  @Test
  void malformedSecretsAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> Secret.parse("whsec_not*base64"))
        .hasMessageNotContaining("not*base64");
    assertThatThrownBy(() -> Secret.parse("sk_live_abc")).hasMessageContaining("whsec_");
  }
}
