package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.FlintnConfig;
import com.flintn.webhooks.common.kafka.KafkaClients;
import com.flintn.webhooks.common.topic.TopicCreator;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Manages the product's topics.",
    subcommands = {TopicsCommand.Create.class})
final class TopicsCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say what to do: topics create");
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Creates every topic that is missing and checks the ones that exist (idempotent).",
        "Partitions and replication from topics.partitions and topics.replication-factor;"
            + " min.insync.replicas 2 from 3 replicas on, else 1.",
        "An existing topic whose min.insync.replicas is weaker than its replication factor"
            + " warrants (or more than its replicas) is reported; --fix-min-insync-replicas"
            + " sets it."
      })
  static final class Create implements Callable<Integer> {
    @Mixin ConfigOption config;

    @Option(
        names = "--fix-min-insync-replicas",
        description =
            "Set min.insync.replicas of existing topics where it is wrong for their replication"
                + " factor (2 from 3 replicas on, else 1).")
    boolean fixMinInsyncReplicas;

    @Override
    public Integer call() throws Exception {
      FlintnConfig c = config.load();
      try (Admin admin = Admin.create(adminProperties(c))) {
        List<TopicCreator.Result> results = create(admin, c, fixMinInsyncReplicas);
        print(results, System.out);
      }
      return Main.OK;
    }
  }

  /** An admin client that gives up on an unreachable broker within 15 s. */
  static Properties adminProperties(FlintnConfig c) {
    Properties p = KafkaClients.admin(c.kafka(), "topics-create");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return p;
  }

  static List<TopicCreator.Result> create(Admin admin, FlintnConfig c, boolean fixMinInsyncReplicas)
      throws InterruptedException {
    try {
      return new TopicCreator(admin)
          .createAll(
              c.topicCatalog(),
              c.topics().partitions(),
              c.topics().replicationFactor(),
              fixMinInsyncReplicas);
    } catch (TopicCreator.TopicSetupException e) {
      throw new IllegalStateException(
          e.getMessage() + " (kafka.bootstrap-servers=" + c.kafka().bootstrapServers() + ")");
    }
  }

  static void print(List<TopicCreator.Result> results, PrintStream out) {
    int width = results.stream().mapToInt(r -> r.topic().length()).max().orElse(10);
    for (TopicCreator.Result r : results) {
      out.printf(
          "%-" + width + "s  %3d partitions  %s%n",
          r.topic(),
          r.partitions(),
          r.created() ? "created" : "exists");
    }
    long created = results.stream().filter(TopicCreator.Result::created).count();
    out.printf(
        "%d topics: %d created, %d already there%n",
        results.size(), created, results.size() - created);
    for (TopicCreator.Result r : results) {
      if (r.problem().isEmpty()) {
        continue;
      }
      if (r.fixed()) {
        out.printf("%s: %s; set to %d%n", r.topic(), r.problem().get(), r.minInsyncReplicas());
      } else {
        out.printf(
            "WARNING %s: %s; run topics create --fix-min-insync-replicas%n",
            r.topic(), r.problem().get());
      }
    }
  }
}
