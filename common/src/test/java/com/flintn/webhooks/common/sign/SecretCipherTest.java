package com.flintn.webhooks.common.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.json.Json;
import com.flintn.webhooks.common.json.JsonSerde;
import com.flintn.webhooks.common.message.SigningSecrets;
import com.flintn.webhooks.common.topic.TopicCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
  private final SecretCipher cipher = SecretCipher.fromBase64Key(SecretCipher.generateKey());

  @Test
  void sealsWithAFreshNonceAndOpensWithTheSameKeyOnly() {
    String sealed = cipher.encrypt("whsec_abc");
    assertThat(sealed).startsWith("enc:v1:").doesNotContain("abc");
    assertThat(cipher.encrypt("whsec_abc")).isNotEqualTo(sealed);
    assertThat(cipher.decrypt(sealed)).isEqualTo("whsec_abc");
    SecretCipher other = SecretCipher.fromBase64Key(SecretCipher.generateKey());
    assertThatThrownBy(() -> other.decrypt(sealed))
        .hasMessageContaining("secrets.encryption-key")
        .hasMessageNotContaining("abc");
    String tampered = sealed.substring(0, sealed.length() - 4) + "AAA=";
    assertThatThrownBy(() -> cipher.decrypt(tampered)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesKeysOfTheWrongSize() {
    assertThatThrownBy(() -> SecretCipher.fromBase64Key("c2hvcnQ="))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> SecretCipher.fromBase64Key("***")).hasMessageContaining("base64");
  }

  @Test
  void topicSerdesStoreSecretsEncryptedAndReadOldPlaintextOnes() {
    TopicCatalog encrypting =
        new TopicCatalog("t", List.of(Duration.ofSeconds(1)), Optional.of(cipher));
    Secret secret = Secret.generate();
    var serde = new JsonSerde<>(SigningSecrets.class, Json.mapperEncrypting(cipher));
    byte[] stored = serde.serialize("t", SigningSecrets.of(secret));
    String raw = new String(stored, StandardCharsets.UTF_8);
    assertThat(raw).doesNotContain(secret.reveal().substring(6)).contains("enc:v1:");
    assertThat(serde.deserialize("t", stored).current()).isEqualTo(secret);
    byte[] plaintext =
        new JsonSerde<>(SigningSecrets.class).serialize("t", SigningSecrets.of(secret));
    assertThat(serde.deserialize("t", plaintext).current()).isEqualTo(secret);
    assertThat(encrypting.endpoints().name()).isEqualTo("t.endpoints");
  }
}
