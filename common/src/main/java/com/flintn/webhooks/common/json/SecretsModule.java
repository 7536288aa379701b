package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SecretCipher;
import java.io.IOException;
import java.io.Serial;

/**
 * Writes every {@link Secret} encrypted with a {@link SecretCipher}, and reads encrypted ones back.
 * A plaintext {@code whsec_} value is still read, so records written before encryption was
 * configured stay usable; it is encrypted the next time the record is written.
 */
final class SecretsModule extends SimpleModule {
  @Serial private static final long serialVersionUID = 1L;

  SecretsModule(SecretCipher cipher) {
    super("flintn-secrets");
    addSerializer(
        new StdSerializer<>(Secret.class) {
          @Override
          public void serialize(Secret value, JsonGenerator gen, SerializerProvider provider)
              throws IOException {
            gen.writeString(cipher.encrypt(value.reveal()));
          }
        });
    addDeserializer(
        Secret.class,
        new StdDeserializer<>(Secret.class) {
          @Override
          public Secret deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            return Secret.parse(text.startsWith(SecretCipher.PREFIX) ? cipher.decrypt(text) : text);
          }
        });
  }
}
