package com.flintn.webhooks.dispatcher.record;

import com.flintn.webhooks.common.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Copies a refused record, key, value and headers as received, to {@code webhooks.events.invalid}
 * with {@code reason}, {@code detail}, source and time headers added. Thread safe.
 */
public final class InvalidRecordWriter {
  public static final String REJECTED_AT = "rejected-at";

  private final Producer<byte[], byte[]> producer;
  private final Topic<byte[], byte[]> invalid;

  public InvalidRecordWriter(Producer<byte[], byte[]> producer, Topic<byte[], byte[]> invalid) {
    this.producer = producer;
    this.invalid = invalid;
  }

  public CompletableFuture<Void> write(
      ConsumerRecord<byte[], byte[]> r, String reason, String detail, Instant at) {
    RecordHeaders h = new RecordHeaders();
    for (Header header : r.headers()) {
      h.add(header);
    }
    h.add(Headers.REASON, utf8(reason));
    h.add(Headers.DETAIL, utf8(detail));
    h.add(Headers.SOURCE_TOPIC, utf8(r.topic()));
    h.add(Headers.SOURCE_PARTITION, utf8(String.valueOf(r.partition())));
    h.add(Headers.SOURCE_OFFSET, utf8(String.valueOf(r.offset())));
    h.add(REJECTED_AT, utf8(at.toString()));
    CompletableFuture<Void> done = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(invalid.name(), null, r.key(), r.value(), h),
        (meta, e) -> {
          if (e == null) {
            done.complete(null);
          } else {
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
