package com.flintn.webhooks.dispatcher.record;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces one record and completes when Kafka has acknowledged it. A retriable failure (the broker
 * away for longer than the producer's own delivery timeout) is retried after a pause for as long as
 * the writer is open, so the source record stays unfinished and uncommitted and nothing is lost. A
 * failure that retrying cannot fix completes the future exceptionally. Each record is retried on
 * its own, so a partial failure never re-sends what was already written. Thread safe.
 */
public final class KafkaWriter {
  private static final Logger log = LoggerFactory.getLogger(KafkaWriter.class);
  private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

  private final Producer<byte[], byte[]> producer;
  private volatile boolean open = true;

  public KafkaWriter(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public CompletableFuture<Void> write(ProducerRecord<byte[], byte[]> record) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(record, done);
    return done;
  }

  /** Stops retrying; pending writes fail. */
  public void close() {
    open = false;
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the callback settles done on every outcome
  private void attempt(ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> done) {
    try {
      producer.send(
          record,
          (meta, e) -> {
            if (e == null) {
              done.complete(null);
            } else {
              retryOrFail(record, done, e);
            }
          });
    } catch (RuntimeException e) {
      retryOrFail(record, done, e);
    }
  }

  private void retryOrFail(
      ProducerRecord<byte[], byte[]> record, CompletableFuture<Void> done, Exception e) {
    if (open && e instanceof RetriableException) {
      log.warn("write to {} failed, retrying: {}", record.topic(), e.toString());
      CompletableFuture.delayedExecutor(RETRY_BACKOFF.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> attempt(record, done));
    } else {
      done.completeExceptionally(e);
    }
  }
}
