package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/flintn-webhooks}: one entry for every process and tool (docs/design.md §10). Exit
 * status 0 on success, 2 on bad usage or configuration (one line naming the option or key), 1 on
 * failure (one line, no stack trace).
 */
@Command(
    name = "flintn-webhooks",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Signed, retried webhook delivery with Kafka as the only store.",
    subcommands = {
      StandaloneCommand.class,
      DispatcherCommand.class,
      RetrySchedulerCommand.class,
      EndpointStateCommand.class,
      AdminCommand.class,
      TopicsCommand.class,
      EventsCommand.class,
      DlqCommand.class,
      SecretsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    try {
      LogSetup.apply(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("flintn-webhooks: configuration: " + e.getMessage());
      System.exit(USAGE);
    }
    quietKafkaClientsForOneShotCommands(args);
    System.exit(run(args));
  }

  /**
   * One-shot tools (topics, events) report an unreachable broker in one line of their own, so the
   * Kafka client's per-retry connection warnings are turned down for them. Long-running processes
   * keep those warnings: there they are the operator's first sign of trouble.
   */
  private static void quietKafkaClientsForOneShotCommands(String[] args) {
    boolean longRunning =
        args.length > 0
            && (args[0].equals("standalone")
                || args[0].equals("dispatcher")
                || args[0].equals("retry-scheduler")
                || args[0].equals("admin")
                || args[0].equals("bench"));
    if (!longRunning) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
  }

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(
        (e, a) -> {
          CommandLine c = e.getCommandLine();
          c.getErr()
              .println(
                  "flintn-webhooks: "
                      + e.getMessage()
                      + " (see "
                      + c.getCommandSpec().qualifiedName()
                      + " --help)");
          return USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, c, parsed) -> {
          if (e instanceof ConfigException) {
            c.getErr().println("flintn-webhooks: configuration: " + e.getMessage());
            return USAGE;
          }
          if (e instanceof UsageException) {
            c.getErr().println("flintn-webhooks: " + e.getMessage());
            return USAGE;
          }
          String message = e.getMessage() != null ? e.getMessage() : e.toString();
          c.getErr().println("flintn-webhooks: " + message);
          return FAILURE;
        });
    return cli.execute(args);
  }

  /** Bad input found while running a command (not by the argument parser). Exit status 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"flintn-webhooks " + (v == null ? "dev" : v)};
    }
  }
}
