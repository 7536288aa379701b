package com.flintn.webhooks.common.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.AccountId;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.message.EndpointId;
import com.flintn.webhooks.common.message.EndpointStatus;
import com.flintn.webhooks.common.message.SigningSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
  /** Base64 of 32 fixed bytes (tests only). */
  private static final String KEY_A = "dGVzdC1rZXktZm9yLWZsaW50bi13ZWJob29rcy0zMmI=";

  private static final String KEY_B = SecretCipher.generateKey();

  private static final String SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

  /** {@link #SECRET} sealed by the first format's code with {@link #KEY_A}: enc:v1, no key id. */
  private static final String V1_SEALED_WITH_A =
      "enc:v1:R4WFtCB1jhUl1KS9cT/q27PXe2Er1prjvaj7neDwBoWUdrADua6Kq/Yso2xUAGbavuACUEyOxFTVQUa/kRaE"
          + "mgXvNSm9ZZJqVg2w+72+";

  private static SecretCipher ring(String writer, boolean plaintext, String... idAndKey) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    for (int i = 0; i < idAndKey.length; i += 2) {
      keys.put(idAndKey[i], SecretCipher.parseKey(idAndKey[i + 1]));
    }
    return SecretCipher.keyring(keys, writer, plaintext, false);
  }

  @Test
  void readsSecretsSealedInTheFirstFormatWithTheSameKeyUnderAnyId() {
    assertThat(SecretCipher.fromBase64Key(KEY_A).decrypt(V1_SEALED_WITH_A, "ep_any"))
        .isEqualTo(SECRET);
    assertThat(ring("b", false, "b", KEY_B, "old", KEY_A).decrypt(V1_SEALED_WITH_A, null))
        .isEqualTo(SECRET);
    assertThatThrownBy(() -> SecretCipher.fromBase64Key(KEY_B).decrypt(V1_SEALED_WITH_A, "ep_1"))
        .isInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessageContaining("secrets.encryption-key")
        .hasMessageNotContaining(SECRET.substring(6));
  }

  @Test
  void sealsWithTheWritingKeyIdAndAFreshNonceAndOpensOnlyForTheSameEndpoint() {
    SecretCipher cipher = SecretCipher.fromBase64Key(KEY_A);
    String sealed = cipher.encrypt(SECRET, "ep_1");
    assertThat(sealed).startsWith("enc:v2:default:").doesNotContain(SECRET.substring(6));
    assertThat(cipher.encrypt(SECRET, "ep_1")).isNotEqualTo(sealed);
    assertThat(cipher.decrypt(sealed, "ep_1")).isEqualTo(SECRET);
    assertThat(cipher.isCurrent(sealed)).isTrue();
    assertThat(cipher.isCurrent(V1_SEALED_WITH_A)).isFalse();

    SecretCipher.Undecryptable moved =
        org.junit.jupiter.api.Assertions.assertThrows(
            SecretCipher.Undecryptable.class, () -> cipher.decrypt(sealed, "ep_2"));
    assertThat(moved.getMessage()).contains("secrets.encryption-key").contains("another endpoint");
    SecretCipher ring = ring("k1", false, "k1", KEY_A);
    assertThatThrownBy(() -> ring.decrypt(ring.encrypt(SECRET, "ep_1"), "ep_2"))
        .isInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessageContaining("key 'k1'")
        .hasMessageContaining("another endpoint");
    String tampered = sealed.substring(0, sealed.length() - 4) + "AAA=";
    assertThatThrownBy(() -> cipher.decrypt(tampered, "ep_1"))
        .isInstanceOf(SecretCipher.Undecryptable.class);
    assertThatThrownBy(() -> cipher.decrypt("enc:v2:default:***", "ep_1"))
        .isInstanceOf(SecretCipher.Undecryptable.class);
  }

  @Test
  void aKeyIdThatIsNotConfiguredIsNamedWithTheConfiguredOnes() {
    String sealed = ring("k9", false, "k9", KEY_B).encrypt(SECRET, "ep_1");
    SecretCipher.Undecryptable e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SecretCipher.Undecryptable.class,
            () -> ring("k1", false, "k1", KEY_A, "k2", KEY_A).decrypt(sealed, "ep_1"));
    assertThat(e.configKey()).isEqualTo("secrets.encryption-keys");
    assertThat(e.getMessage())
        .isEqualTo(
            "a stored secret was written with key id 'k9', which is not configured (configured:"
                + " k1, k2)");
    assertThat(e.problem(3, "ep_1"))
        .isEqualTo(
            "3 endpoint records cannot be decrypted: they were written with key id 'k9', which is"
                + " not configured (configured: k1, k2) (first: ep_1); add that key to"
                + " secrets.encryption-keys");
  }

  @Test
  void rotationKeepsOldValuesReadableAndWritesWithTheNewKey() {
    SecretCipher before = ring("a", false, "a", KEY_A);
    SecretCipher during = ring("b", false, "a", KEY_A, "b", KEY_B);
    SecretCipher after = ring("b", false, "b", KEY_B);
    String old = before.encrypt(SECRET, "ep_1");
    assertThat(during.decrypt(old, "ep_1")).isEqualTo(SECRET);
    assertThat(during.isCurrent(old)).isFalse();
    String rewritten = during.encrypt(during.decrypt(old, "ep_1"), "ep_1");
    assertThat(rewritten).startsWith("enc:v2:b:");
    assertThat(during.isCurrent(rewritten)).isTrue();
    assertThat(after.decrypt(rewritten, "ep_1")).isEqualTo(SECRET);
    assertThatThrownBy(() -> after.decrypt(old, "ep_1"))
        .isInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessageContaining("key id 'a'");
    // The same key under two ids is two keys: the id in the value picks the key.
    assertThatThrownBy(() -> ring("x", false, "x", KEY_B, "a", KEY_B).decrypt(old, "ep_1"))
        .isInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessageContaining("key 'a'");
  }

  @Test
  void plaintextSecretsAreReadOnlyWithTheMigrationSwitch() {
    SecretCipher.Undecryptable e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SecretCipher.Undecryptable.class,
            () -> SecretCipher.fromBase64Key(KEY_A).decrypt(SECRET, "ep_1"));
    assertThat(e.configKey()).isEqualTo("secrets.allow-plaintext");
    assertThat(e.problem(1, "ep_1"))
        .isEqualTo(
            "1 endpoint record cannot be read: they hold plain-text secrets (first: ep_1); set"
                + " secrets.allow-plaintext=true while migrating, run `flintn-webhooks secrets"
                + " rekey`, then remove it")
        .doesNotContain(SECRET.substring(6));
    assertThat(ring("a", true, "a", KEY_A).decrypt(SECRET, "ep_1")).isEqualTo(SECRET);
    assertThatThrownBy(() -> ring("a", true, "a", KEY_A).decrypt("hello", "ep_1"))
        .isNotInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessage("not an encrypted secret");
  }

  @Test
  void refusesKeysOfTheWrongSizeAndBadIds() {
    assertThatThrownBy(() -> SecretCipher.fromBase64Key("c2hvcnQ="))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> SecretCipher.fromBase64Key("***")).hasMessageContaining("base64");
    assertThatThrownBy(() -> ring("a:b", false, "a:b", KEY_A)).hasMessageContaining("key id");
    assertThatThrownBy(() -> ring("c", false, "a", KEY_A)).hasMessageContaining("'c'");
  }

  @Test
  void topicSerdesSealEachSecretForItsOwnEndpoint() throws Exception {
    SecretCipher cipher = ring("b", false, "a", KEY_A, "b", KEY_B);
    var endpoints = new JsonSerde<>(Endpoint.class, Json.mapperEncrypting(cipher));
    Secret current = Secret.generate();
    Secret previous = Secret.generate();
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    Endpoint e =
        new Endpoint(
            EndpointId.of("ep_1"),
            AccountId.of("acc_1"),
            "n",
            "https://example.com/h",
            List.of("*"),
            EndpointStatus.ACTIVE,
            null,
            new SigningSecrets(current, previous, at),
            at,
            at,
            1,
            at,
            null);
    byte[] stored = endpoints.serialize("t", e);
    String raw = new String(stored, StandardCharsets.UTF_8);
    assertThat(raw)
        .doesNotContain(current.reveal().substring(6))
        .doesNotContain(previous.reveal().substring(6))
        .contains("\"current\":\"enc:v2:b:")
        .contains("\"previous\":\"enc:v2:b:");
    assertThat(endpoints.deserialize("t", stored)).isEqualTo(e);
    // endpoint_id may come after the secrets: the whole object is read before they are opened
    var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(stored);
    var reorderedTree = Json.mapper().createObjectNode();
    reorderedTree.set("secrets", tree.remove("secrets"));
    reorderedTree.setAll(tree);
    String reordered = Json.mapper().writeValueAsString(reorderedTree);
    assertThat(reordered.indexOf("secrets")).isLessThan(reordered.indexOf("endpoint_id"));
    assertThat(endpoints.deserialize("t", reordered.getBytes(StandardCharsets.UTF_8))).isEqualTo(e);

    // A sealed secret moved into another endpoint's record does not open there.
    byte[] moved = raw.replace("\"ep_1\"", "\"ep_2\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> endpoints.deserialize("t", moved))
        .isInstanceOf(SerializationException.class)
        .satisfies(x -> assertThat(SecretCipher.Undecryptable.in(x)).isTrue())
        .hasMessageNotContaining(current.reveal().substring(6));

    // A change command seals its secret for its endpoint too.
    var changes = new JsonSerde<>(EndpointChange.class, Json.mapperEncrypting(cipher));
    EndpointChange rotate =
        new EndpointChange(
            "c1",
            EndpointChange.Type.ROTATE_SECRET,
            EndpointId.of("ep_1"),
            AccountId.of("acc_1"),
            null,
            null,
            null,
            current,
            null,
            at);
    byte[] change = changes.serialize("t", rotate);
    assertThat(new String(change, StandardCharsets.UTF_8))
        .contains("\"secret\":\"enc:v2:b:")
        .doesNotContain(current.reveal().substring(6));
    assertThat(changes.deserialize("t", change).secret()).isEqualTo(current);

    // A secret outside any endpoint is never written, sealed or not.
    var bare = new JsonSerde<>(SigningSecrets.class, Json.mapperEncrypting(cipher));
    assertThatThrownBy(() -> bare.serialize("t", SigningSecrets.of(current)))
        .isInstanceOf(SerializationException.class)
        .hasMessageNotContaining(current.reveal().substring(6));
  }

  @Test
  void aPlaintextRecordIsUndecryptableUnlessAllowed() {
    Secret secret = Secret.generate();
    String plainRecord =
        "{\"endpoint_id\":\"ep_1\",\"account_id\":\"acc_1\",\"url\":\"https://example.com/h\","
            + "\"event_types\":[\"*\"],\"status\":\"active\",\"secrets\":{\"current\":\""
            + secret.reveal()
            + "\"},\"version\":1}";
    byte[] bytes = plainRecord.getBytes(StandardCharsets.UTF_8);
    var strict =
        new JsonSerde<>(Endpoint.class, Json.mapperEncrypting(ring("a", false, "a", KEY_A)));
    assertThatThrownBy(() -> strict.deserialize("t", bytes))
        .satisfies(
            x ->
                assertThat(SecretCipher.Undecryptable.find(x).configKey())
                    .isEqualTo("secrets.allow-plaintext"))
        .hasMessageNotContaining(secret.reveal().substring(6));
    var migrating =
        new JsonSerde<>(Endpoint.class, Json.mapperEncrypting(ring("a", true, "a", KEY_A)));
    assertThat(migrating.deserialize("t", bytes).secrets().current()).isEqualTo(secret);
  }
}
