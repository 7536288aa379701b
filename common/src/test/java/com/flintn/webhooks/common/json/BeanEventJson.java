package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.flintn.webhooks.common.message.Event;

/**
 * Events written the way they were before {@link EventJson}: {@link Json}'s configuration without
 * the field-by-field writer, so Jackson's bean serializer reads the annotations on {@link Event}.
 * Tests hold the current writer to these bytes.
 */
public final class BeanEventJson {
  private static final ObjectMapper BEANS =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(AttemptRecordJson.module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private BeanEventJson() {}

  public static ObjectMapper mapper() {
    return BEANS;
  }

  public static byte[] bytes(Object value) {
    try {
      return BEANS.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
