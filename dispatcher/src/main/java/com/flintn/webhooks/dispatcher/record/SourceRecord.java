package com.flintn.webhooks.dispatcher.record;

/** Where a delivery came from: a record of {@code webhooks.events}, the due or overflow topic. */
public record SourceRecord(String topic, int partition, long offset) {
  /** The partition as a value, for keeping counts per partition. */
  public record Partition(String topic, int partition) {}

  public Partition partitionKey() {
    return new Partition(topic, partition);
  }
}
