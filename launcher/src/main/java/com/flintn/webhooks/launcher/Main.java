package com.flintn.webhooks.launcher;

import com.flintn.webhooks.common.config.ConfigException;
import java.io.Serial;
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
      EventTypesCommand.class
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
    if (!longRunning(args)) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
  }

  /** The commands that run until stopped: every process, standalone, and the benchmarks. */
  static boolean longRunning(String... args) {
    return args.length > 0
        && switch (args[0]) {
          case "standalone", "dispatcher", "retry-scheduler", "endpoint-state", "admin", "bench" ->
              true;
          default -> false;
        };
  }

  /**
   * The benchmark harness's command. The harness is not part of the product's distribution; it is
   * packaged apart (as Kafka's perf tools are), and {@code bin/flintn-webhooks bench} puts it on
   * the class path in a source checkout.
   */
  static final String BENCH_COMMAND = "com.flintn.webhooks.bench.BenchCommand";

  static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.addSubcommand("bench", benchCommand());
    cli.addSubcommand("help", new CommandLine.HelpCommand());
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

  /**
   * The harness's {@code bench} command if it is on the class path, else one that says where it is.
   */
  private static Object benchCommand() {
    try {
      return Class.forName(BENCH_COMMAND).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new BenchMissingCommand();
    }
  }

  /** Bad input found while running a command (not by the argument parser). Exit status 2. */
  static final class UsageException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

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
