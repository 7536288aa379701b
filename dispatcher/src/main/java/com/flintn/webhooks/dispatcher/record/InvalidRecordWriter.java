package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.topic.HeaderNames;
import com.flintn.webhooks.common.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies a refused record, key, value and headers as received, to {@code webhooks.events.invalid}
 * with {@code reason}, {@code detail}, source and time headers added. A value too large to produce
 * again (it may have arrived compressed) is cut to its first {@link #MAX_VALUE_BYTES} bytes, with
 * {@code original-size} saying so; the whole record stays on the source topic the headers name.
 * Thread safe.
 */
public final class InvalidRecordWriter {
  public static final String REJECTED_AT = "rejected-at";
  public static final String ORIGINAL_SIZE = "original-size";
  static final int MAX_VALUE_BYTES = 512 * 1024;

  private final KafkaWriter writer;
  private final Topic<byte[], byte[]> invalid;

  private final DeliveryMetrics metrics;

  public InvalidRecordWriter(
      KafkaWriter writer, Topic<byte[], byte[]> invalid, DeliveryMetrics metrics) {
    this.writer = writer;
    this.invalid = invalid;
    this.metrics = metrics;
  }

  public CompletableFuture<Void> write(
      ConsumerRecord<byte[], byte[]> r, String reason, String detail, Instant at) {
    metrics.invalid(reason);
    RecordHeaders h = new RecordHeaders();
    for (Header header : r.headers()) {
      h.add(header);
    }
    h.add(HeaderNames.REASON, utf8(reason));
    h.add(HeaderNames.DETAIL, utf8(detail));
    h.add(HeaderNames.SOURCE_TOPIC, utf8(r.topic()));
    h.add(HeaderNames.SOURCE_PARTITION, utf8(String.valueOf(r.partition())));
    h.add(HeaderNames.SOURCE_OFFSET, utf8(String.valueOf(r.offset())));
    h.add(REJECTED_AT, utf8(at.toString()));
    byte[] value = r.value();
    if (value != null && value.length > MAX_VALUE_BYTES) {
      h.add(ORIGINAL_SIZE, utf8(String.valueOf(value.length)));
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
    }
    return writer.write(new ProducerRecord<>(invalid.name(), null, r.key(), value, h));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
