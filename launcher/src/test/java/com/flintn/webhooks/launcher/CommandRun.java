package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One command run in this JVM through {@link Main#run}, with what it printed. */
record CommandRun(int status, String out, String err) {
  /** Runs {@code args} as the command line would, capturing standard output and error. */
  static CommandRun of(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int status = Main.run(args);
      return new CommandRun(
          status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /**
   * Checks that the command refused to run as bad input must be refused: exit status 2 and no stack
   * trace. Returns what it wrote to standard error.
   */
  String refusal() {
    assertThat(status).as(err).isEqualTo(2);
    assertThat(err).doesNotContain("\tat ");
    return err;
  }

  /** The lines of standard error that the command wrote itself, each ended by a newline. */
  String ownErrorLines() {
    return err.lines()
        .filter(l -> l.startsWith("flintn-webhooks:"))
        .reduce("", (a, b) -> a + b + "\n");
  }
}
