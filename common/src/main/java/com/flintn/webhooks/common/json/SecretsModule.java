package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.flintn.webhooks.common.message.Endpoint;
import com.flintn.webhooks.common.message.EndpointChange;
import com.flintn.webhooks.common.sign.Secret;
import com.flintn.webhooks.common.sign.SecretCipher;
import java.io.IOException;
import java.io.Serial;
import org.jspecify.annotations.Nullable;

/**
 * Writes every {@link Secret} sealed with a {@link SecretCipher}, and reads sealed ones back. A
 * secret is sealed for the endpoint whose record (an {@link Endpoint} or an {@link EndpointChange})
 * holds it: its id is the associated data, so the sealed value opens only in a record of that
 * endpoint. A plaintext {@code whsec_} value is read only if the cipher allows it ({@code
 * secrets.allow-plaintext}); otherwise it is {@link SecretCipher.Undecryptable}.
 */
final class SecretsModule extends SimpleModule {
  @Serial private static final long serialVersionUID = 1L;

  /** Deserialization attribute: the id of the endpoint whose record is being read. */
  private static final String ENDPOINT_ID = "flintn.endpoint-id";

  SecretsModule(SecretCipher cipher) {
    super("flintn-secrets");
    addSerializer(
        new StdSerializer<>(Secret.class) {
          @Override
          public void serialize(Secret value, JsonGenerator gen, SerializerProvider provider)
              throws IOException {
            String endpointId = enclosingEndpointId(gen.getOutputContext());
            if (endpointId == null) {
              throw JsonMappingException.from(
                  provider, "a signing secret is written only inside an endpoint or its change");
            }
            gen.writeString(cipher.encrypt(value.reveal(), endpointId));
          }
        });
    addDeserializer(
        Secret.class,
        new StdDeserializer<>(Secret.class) {
          @Override
          public Secret deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object endpointId = ctxt.getAttribute(ENDPOINT_ID);
            return Secret.parse(
                cipher.decrypt(
                    p.getValueAsString(), endpointId == null ? null : (String) endpointId));
          }
        });
    setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public JsonDeserializer<?> modifyDeserializer(
              DeserializationConfig config,
              BeanDescription desc,
              JsonDeserializer<?> deserializer) {
            Class<?> type = desc.getBeanClass();
            return type == Endpoint.class || type == EndpointChange.class
                ? new EndpointScoped(deserializer)
                : deserializer;
          }
        });
  }

  /** The id of the endpoint or change being written around the current value, or null. */
  private static @Nullable String enclosingEndpointId(JsonStreamContext context) {
    for (JsonStreamContext c = context; c != null; c = c.getParent()) {
      Object v = c.getCurrentValue();
      if (v instanceof Endpoint e) {
        return e.endpointId().value();
      }
      if (v instanceof EndpointChange ch) {
        return ch.endpointId().value();
      }
    }
    return null;
  }

  /**
   * Reads an endpoint or change with its {@code endpoint_id} known to the secrets inside it,
   * wherever the field is in the object: the object is read as a tree first.
   */
  private static final class EndpointScoped extends DelegatingDeserializer {
    @Serial private static final long serialVersionUID = 1L;

    EndpointScoped(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
      return new EndpointScoped(newDelegatee);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode tree = ctxt.readTree(p);
      JsonNode id = tree.get("endpoint_id");
      Object before = ctxt.getAttribute(ENDPOINT_ID);
      ctxt.setAttribute(ENDPOINT_ID, id != null && id.isTextual() ? id.asText() : null);
      try (JsonParser inner = tree.traverse(p.getCodec())) {
        inner.nextToken();
        return _delegatee.deserialize(inner, ctxt);
      } finally {
        ctxt.setAttribute(ENDPOINT_ID, before);
      }
    }
  }
}
