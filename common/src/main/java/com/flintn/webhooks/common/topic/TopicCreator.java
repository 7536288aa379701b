package com.flintn.webhooks.common.topic;

import com.flintn.webhooks.common.message.Printable;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;

/**
 * Creates every topic of a {@link TopicCatalog}, idempotently: missing topics are created, existing
 * ones are left alone and checked. The topics read together by the endpoint-state app must have one
 * partition count; a mismatch is reported, not silently accepted. Every topic's {@code
 * min.insync.replicas} is checked against its own replication factor ({@link
 * TopicSpec#minInsyncReplicas}): one that is weaker, or that no write can meet, is reported, and
 * set to the right value only when asked.
 */
public final class TopicCreator {

  /**
   * What happened to one topic.
   *
   * @param replicationFactor the topic's replication factor (its smallest partition's)
   * @param minInsyncReplicas its {@code min.insync.replicas} now (after any fix)
   * @param problem what was wrong with {@code min.insync.replicas}, if anything
   * @param fixed whether it was set to the value its replication factor warrants
   */
  public record Result(
      String topic,
      int partitions,
      boolean created,
      int replicationFactor,
      int minInsyncReplicas,
      Optional<String> problem,
      boolean fixed) {

    /** Whether a problem was found and left as it is. */
    public boolean needsFix() {
      return problem.isPresent() && !fixed;
    }
  }

  /** The topics cannot be used as they are; the message says what to change. */
  public static final class TopicSetupException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    public TopicSetupException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  private final Admin admin;

  public TopicCreator(Admin admin) {
    this.admin = admin;
  }

  /** Creates and checks, reporting a wrong {@code min.insync.replicas} without changing it. */
  public List<Result> createAll(TopicCatalog catalog, int partitions, short replicationFactor)
      throws InterruptedException {
    return createAll(catalog, partitions, replicationFactor, false);
  }

  /**
   * @param fixMinInsyncReplicas whether to set a wrong {@code min.insync.replicas} of an existing
   *     topic to the value its replication factor warrants
   * @throws TopicSetupException if the cluster has too few brokers, a topic cannot be created or
   *     changed, or the co-partitioned topics disagree on their partition count
   */
  public List<Result> createAll(
      TopicCatalog catalog, int partitions, short replicationFactor, boolean fixMinInsyncReplicas)
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
              new NewTopic(t.name(), partitions, replicationFactor)
                  .configs(t.spec().configs(replicationFactor)));
        }
      }
      Set<String> created = new HashSet<>();
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
                  "cannot create topic " + e.getKey() + ": " + causeMessage(ex), ex);
            }
          }
        }
      }
      List<String> names = catalog.all().stream().map(Topic::name).toList();
      Map<String, TopicDescription> described = awaitLeaders(names);
      checkCoPartitioned(catalog, described);
      Map<String, Integer> minIsr = minInsyncReplicas(names);
      Map<String, Integer> toFix = new HashMap<>();
      List<Result> results = new ArrayList<>();
      for (String name : names) {
        TopicDescription d = Objects.requireNonNull(described.get(name), name);
        int rf = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
        int current = Objects.requireNonNull(minIsr.get(name), name);
        Optional<String> problem = minInsyncReplicasProblem(rf, current);
        boolean fix = problem.isPresent() && fixMinInsyncReplicas;
        if (fix) {
          toFix.put(name, TopicSpec.minInsyncReplicas(rf));
        }
        results.add(
            new Result(
                name,
                d.partitions().size(),
                created.contains(name),
                rf,
                fix ? TopicSpec.minInsyncReplicas(rf) : current,
                problem,
                fix));
      }
      setMinInsyncReplicas(toFix);
      return results;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new TopicSetupException("cannot reach Kafka (timed out)", e.getCause());
      }
      throw new TopicSetupException("cannot set up topics: " + causeMessage(e), e.getCause());
    }
  }

  /** The message of what failed inside {@code e}, which Kafka's futures always give a cause. */
  private static String causeMessage(ExecutionException e) {
    return Printable.message(e.getCause() != null ? e.getCause() : e);
  }

  /**
   * Creation completes when the controller has the topic; the broker that leads a partition takes
   * it up a moment later and refuses writes until then. Waits (up to 30 s) until every partition
   * answers a list-offsets request, which only its working leader does, so a producer started right
   * after {@code topics create} succeeds at once.
   */
  private Map<String, TopicDescription> awaitLeaders(List<String> names)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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

  /**
   * What is wrong with {@code min.insync.replicas} = {@code current} on a topic of {@code
   * replicationFactor} replicas, if anything: less than {@link TopicSpec#minInsyncReplicas} lets an
   * {@code acks=all} write be acknowledged by fewer brokers than it should; more than the replicas
   * fails every such write. Equal to the replicas (3 of 3, say) is allowed: an operator's choice of
   * durability over availability.
   */
  public static Optional<String> minInsyncReplicasProblem(int replicationFactor, int current) {
    int wanted = TopicSpec.minInsyncReplicas(replicationFactor);
    if (current < wanted) {
      return Optional.of(
          "min.insync.replicas is "
              + current
              + " with replication factor "
              + replicationFactor
              + ": a write is acknowledged once "
              + (current == 1 ? "one broker has" : current + " brokers have")
              + " it; "
              + wanted
              + " is wanted");
    }
    if (current > replicationFactor) {
      return Optional.of(
          "min.insync.replicas is "
              + current
              + " with replication factor "
              + replicationFactor
              + ": no write can be acknowledged; "
              + wanted
              + " is wanted");
    }
    return Optional.empty();
  }

  /** Each topic's effective {@code min.insync.replicas} (its own, else the broker's default). */
  private Map<String, Integer> minInsyncReplicas(List<String> names)
      throws InterruptedException, ExecutionException {
    List<ConfigResource> resources =
        names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
    Map<String, Integer> out = new HashMap<>();
    for (ConfigResource r : resources) {
      ConfigEntry e =
          Objects.requireNonNull(configs.get(r), r.name()).get(TopicSpec.MIN_INSYNC_REPLICAS);
      out.put(r.name(), e == null || e.value() == null ? 1 : Integer.parseInt(e.value()));
    }
    return out;
  }

  private void setMinInsyncReplicas(Map<String, Integer> values)
      throws InterruptedException, ExecutionException {
    if (values.isEmpty()) {
      return;
    }
    Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
    values.forEach(
        (name, value) ->
            ops.put(
                new ConfigResource(ConfigResource.Type.TOPIC, name),
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry(TopicSpec.MIN_INSYNC_REPLICAS, String.valueOf(value)),
                        AlterConfigOp.OpType.SET))));
    admin.incrementalAlterConfigs(ops).all().get();
  }

  private static void checkCoPartitioned(
      TopicCatalog catalog, Map<String, TopicDescription> described) {
    Map<String, Integer> counts = new HashMap<>();
    for (Topic<?, ?> t : catalog.all()) {
      if (t.spec().coPartitioned()) {
        counts.put(
            t.name(),
            Objects.requireNonNull(described.get(t.name()), t.name()).partitions().size());
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
