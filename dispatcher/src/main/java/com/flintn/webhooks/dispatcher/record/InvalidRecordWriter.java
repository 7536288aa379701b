package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.message.Printable;
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
 * with {@code reason}, {@code detail}, source and time headers added after the copied ones. The
 * copy is bounded so it can always be written, whatever arrived (the events topic takes records of
 * up to 32 MiB): a value over {@link #MAX_VALUE_BYTES} is cut to its first bytes with {@code
 * original-size} saying so, a key over {@link #MAX_KEY_BYTES} likewise with {@code
 * original-key-size}, and original headers are copied in order only while they total at most {@link
 * #MAX_COPIED_HEADER_BYTES}, the rest counted in {@code headers-dropped}. The whole record stays on
 * the source topic the headers name. Thread safe.
 */
public final class InvalidRecordWriter {
  public static final String REJECTED_AT = "rejected-at";
  public static final String ORIGINAL_SIZE = "original-size";
  public static final String ORIGINAL_KEY_SIZE = "original-key-size";
  public static final String HEADERS_DROPPED = "headers-dropped";
  static final int MAX_VALUE_BYTES = 512 * 1024;
  static final int MAX_KEY_BYTES = 16 * 1024;
  static final int MAX_COPIED_HEADER_BYTES = 64 * 1024;
  private static final int MAX_DETAIL_CHARS = 300;

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
    int headerBytes = 0;
    int dropped = 0;
    for (Header header : r.headers()) {
      int size =
          header.key().getBytes(StandardCharsets.UTF_8).length
              + (header.value() == null ? 0 : header.value().length);
      if (dropped == 0 && headerBytes + size <= MAX_COPIED_HEADER_BYTES) {
        h.add(header);
        headerBytes += size;
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      h.add(HEADERS_DROPPED, utf8(String.valueOf(dropped)));
    }
    h.add(HeaderNames.REASON, utf8(reason));
    h.add(HeaderNames.DETAIL, utf8(Printable.line(detail, MAX_DETAIL_CHARS)));
    h.add(HeaderNames.SOURCE_TOPIC, utf8(r.topic()));
    h.add(HeaderNames.SOURCE_PARTITION, utf8(String.valueOf(r.partition())));
    h.add(HeaderNames.SOURCE_OFFSET, utf8(String.valueOf(r.offset())));
    h.add(REJECTED_AT, utf8(at.toString()));
    byte[] value = r.value();
    if (value != null && value.length > MAX_VALUE_BYTES) {
      h.add(ORIGINAL_SIZE, utf8(String.valueOf(value.length)));
      value = Arrays.copyOf(value, MAX_VALUE_BYTES);
    }
    byte[] key = r.key();
    if (key != null && key.length > MAX_KEY_BYTES) {
      h.add(ORIGINAL_KEY_SIZE, utf8(String.valueOf(key.length)));
      key = Arrays.copyOf(key, MAX_KEY_BYTES);
    }
    return writer.write(new ProducerRecord<>(invalid.name(), null, key, value, h));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
