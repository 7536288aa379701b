package com.flintn.webhooks.common.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.flintn.webhooks.common.sign.SecretCipher;

/**
 * The one JSON configuration of every message. Unknown properties are ignored when reading our own
 * messages, so a newer producer can add a field without breaking an older consumer; times are
 * ISO-8601 text; numbers with a fraction or exponent are read as {@link java.math.BigDecimal}, so
 * an event's data reaches the receiver with the exact values upstream sent.
 */
public final class Json {
  /** Deepest nesting accepted in any JSON we read; deeper input is rejected, not recursed into. */
  public static final int MAX_NESTING_DEPTH = 200;

  /**
   * Parser and generator buffers come from one shared pool. Jackson's default pool is per thread,
   * and deliveries run on virtual threads, a new one each: every message allocated its buffers
   * afresh, a fifth of the dispatcher's allocation (docs/design.md §12).
   */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
          .build();

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY)
          .addModule(new JavaTimeModule())
          .addModule(AttemptRecordJson.module())
          .addModule(EventJson.module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          // Numbers in event data keep their exact value and scale (12.50, 1E+400,
          // 0.10000000000000001):
          // read as doubles they would be rounded, lose their trailing zeros, or become "Infinity".
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The same configuration, with every signing secret encrypted by {@code cipher}. */
  public static ObjectMapper mapperEncrypting(SecretCipher cipher) {
    ObjectMapper m = MAPPER.copy();
    m.registerModule(new SecretsModule(cipher));
    return m;
  }

  /**
   * The JSON bytes of {@code value}. For an event these are the exact bytes every delivery of it
   * POSTs and signs: serialisation is deterministic, so a retry sends the same body.
   */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }
}
