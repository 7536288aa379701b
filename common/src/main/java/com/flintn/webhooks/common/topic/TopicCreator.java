package com.flintn.webhooks.common.topic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates every topic of a {@link TopicCatalog}, idempotently: missing topics are created, existing
 * ones are left alone and checked. The topics read together by the endpoint-state app must have one
 * partition count; a mismatch is reported, not silently accepted.
 */
public final class TopicCreator {

  /** What happened to one topic. */
  public record Result(String topic, int partitions, boolean created) {}

  /** The topics cannot be used as they are; the message says what to change. */
  public static final class TopicSetupException extends RuntimeException {
    public TopicSetupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Admin admin;

  public TopicCreator(Admin admin) {
    this.admin = admin;
  }

  /**
   * @throws TopicSetupException if the cluster has too few brokers, a topic cannot be created, or
   *     the co-partitioned topics disagree on their partition count
   */
  public List<Result> createAll(TopicCatalog catalog, int partitions, short replicationFactor)
      throws InterruptedException {
    try {
      int brokers = admin.describeCluster().nodes().get().size();
      if (brokers < replicationFactor) {
        throw new TopicSetupException(
            "topics.replication-factor is "
                + replicationFactor
                + " but the cluster has "
                + brokers
                + " broker(s); lower it or add brokers",
            null);
      }
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = new ArrayList<>();
      for (Topic<?, ?> t : catalog.all()) {
        if (!existing.contains(t.name())) {
          missing.add(
              new NewTopic(t.name(), partitions, replicationFactor).configs(t.spec().configs()));
        }
      }
      Set<String> created = new java.util.HashSet<>();
      if (!missing.isEmpty()) {
        CreateTopicsResult result = admin.createTopics(missing);
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e :
            result.values().entrySet()) {
          try {
            e.getValue().get();
            created.add(e.getKey());
          } catch (ExecutionException ex) {
            if (!(ex.getCause() instanceof TopicExistsException)) {
              throw new TopicSetupException(
                  "cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
            }
          }
        }
      }
      List<String> names = catalog.all().stream().map(Topic::name).toList();
      Map<String, TopicDescription> described = awaitLeaders(names);
      checkCoPartitioned(catalog, described);
      List<Result> results = new ArrayList<>();
      for (String name : names) {
        results.add(
            new Result(name, described.get(name).partitions().size(), created.contains(name)));
      }
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new TopicSetupException("cannot reach Kafka (timed out)", e.getCause());
      }
      throw new TopicSetupException(
          "cannot set up topics: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Creation completes when the controller has the topic; the broker that leads a partition takes
   * it up a moment later and refuses writes until then. Waits (up to 30 s) until every partition
   * answers a list-offsets request, which only its working leader does, so a producer started right
   * after {@code topics create} succeeds at once.
   */
  private Map<String, TopicDescription> awaitLeaders(List<String> names)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all =
            new HashMap<>();
        described
            .values()
            .forEach(
                d ->
                    d.partitions()
                        .forEach(
                            p ->
                                all.put(
                                    new org.apache.kafka.common.TopicPartition(
                                        d.name(), p.partition()),
                                    org.apache.kafka.clients.admin.OffsetSpec.latest())));
        admin.listOffsets(all).all().get();
        return described;
      } catch (ExecutionException e) {
        // Not known or not led yet on the broker that answered: the metadata is on its way.
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
            || System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(50);
    }
  }

  private static void checkCoPartitioned(
      TopicCatalog catalog, Map<String, TopicDescription> described) {
    Map<String, Integer> counts = new HashMap<>();
    for (Topic<?, ?> t : catalog.all()) {
      if (t.spec().coPartitioned()) {
        counts.put(t.name(), described.get(t.name()).partitions().size());
      }
    }
    if (counts.values().stream().distinct().count() > 1) {
      throw new TopicSetupException(
          "these topics must have the same partition count but have "
              + counts.entrySet().stream()
                  .sorted(Map.Entry.comparingByKey())
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(", "))
              + "; add partitions so they match",
          null);
    }
  }
}
