package com.flintn.webhooks.dispatcher.record;

/** Where a delivery came from: the record of {@code webhooks.events} or of the due topic. */
public record SourceRecord(String topic, int partition, long offset) {}
