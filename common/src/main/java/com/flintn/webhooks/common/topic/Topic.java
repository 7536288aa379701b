package com.flintn.webhooks.common.topic;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the types of its keys and values, so producers and consumers agree by construction.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, TopicSpec spec) {
  @Override
  public String toString() {
    return name;
  }
}
