package com.flintn.webhooks.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds secrets in the logs a build produced: every module's {@code target/surefire-reports} and
 * {@code target/failsafe-reports} {@code *-output.txt} (test output, redirected there by the root
 * POM) and every file under {@code target/process-logs/} (child processes of the fault tests).
 *
 * <p>A secret is a signing secret ({@code whsec_} and base64 of at least 24 bytes; the redacted
 * {@code whsec_[redacted]} is fine), a generated admin API key ({@code fwk_} and 43 base64url
 * characters), a credential after {@code Authorization: Bearer}, a value after the encryption-key
 * setting (or the first {@code id=key} of the keyring setting), or one of the literal values the
 * tests use as keys ({@link #literal}). Findings name file and line and show the line with every
 * secret masked, never the secret itself.
 *
 * <p>One kind of line is exempt: the two lines with which {@code standalone} shows the operator the
 * demo API key it made (docs/design.md §10: "standalone creates one with a printed demo key"), in
 * exactly their documented shape, for the demo account only. The same key anywhere else is still
 * found.
 */
final class LogSecretsScanner {
  /** One line holding a secret. {@code masked} is the line with every secret replaced. */
  record Finding(Path file, int line, List<String> kinds, String masked) {
    @Override
    public String toString() {
      return file + ":" + line + ": " + String.join(", ", kinds) + ": " + masked;
    }
  }

  /** What one scan read and found. */
  record Report(Path root, List<Path> files, long lines, int exemptLines, List<Finding> findings) {

    String summary() {
      return String.format(
          "log secrets scan: %d files, %d lines under %s; %d secret(s) found; %d documented"
              + " standalone demo-key line(s) exempt",
          files.size(), lines, root, findings.size(), exemptLines);
    }

    /**
     * @throws AssertionError if no log file was found (the scan would prove nothing) or any line
     *     holds a secret; the message lists the first 50 findings, masked
     */
    void assertClean() {
      if (files.isEmpty()) {
        throw new AssertionError(
            "no log files under "
                + root
                + " (*/target/surefire-reports/*-output.txt, */target/failsafe-reports/"
                + "*-output.txt, */target/process-logs/**): run the other modules' tests first");
      }
      if (!findings.isEmpty()) {
        StringBuilder sb = new StringBuilder(summary()).append(":\n");
        findings.stream().limit(50).forEach(f -> sb.append("  ").append(f).append('\n'));
        if (findings.size() > 50) {
          sb.append("  and ").append(findings.size() - 50).append(" more\n");
        }
        throw new AssertionError(sb.toString());
      }
    }
  }

  private record Rule(String kind, Pattern pattern, int group) {}

  private static final List<Rule> RULES =
      List.of(
          new Rule("signing secret", Pattern.compile("whsec_[A-Za-z0-9+/_-]{32,}={0,2}"), 0),
          new Rule("admin API key", Pattern.compile("fwk_[A-Za-z0-9_-]{43}"), 0),
          new Rule(
              "bearer credential",
              Pattern.compile(
                  "(?i)authorization[\"']?\\s*[:=]\\s*[\\[\"']?\\s*bearer\\s+([A-Za-z0-9._~+/-]+=*)"),
              1),
          new Rule(
              "encryption key",
              Pattern.compile(
                  "(?i)(?:secrets[._-]encryption[._-]keys?|FLINTN_SECRETS_ENCRYPTION_KEYS?)"
                      + "[\"']?\\s*[:=]\\s*[\"']?(?:[A-Za-z0-9_.-]{1,32}=)?([A-Za-z0-9+/]{43}=)"),
              1));

  /** Lines {@code standalone} prints to hand the operator its demo key, as it prints them. */
  private static final List<Pattern> EXEMPT =
      List.of(
          Pattern.compile("(\\[[\\w-]+\\] )?API key for account acc_demo: fwk_[A-Za-z0-9_-]{43}"),
          Pattern.compile(
              "(\\[[\\w-]+\\] )?  curl -H 'Authorization: Bearer fwk_[A-Za-z0-9_-]{43}'"
                  + " http://localhost:\\d+/v1/webhooks"));

  /** What test code calls a key: {@code static final String ...KEY... = "<20+ characters>";}. */
  private static final Pattern KEY_CONSTANT =
      Pattern.compile(
          "static\\s+final\\s+String\\s+\\w*KEY\\w*\\s*=\\s*\"([^\"\\s\\\\]{20,})\"\\s*;");

  private final Path root;
  private final Map<String, String> literals = new TreeMap<>();

  LogSecretsScanner(Path root) {
    this.root = root;
  }

  /** Also finds {@code value} wherever it appears, reported as {@code kind}. */
  LogSecretsScanner literal(String kind, String value) {
    literals.put(value, kind);
    return this;
  }

  /** The number of literal values this scanner looks for. */
  int literals() {
    return literals.size();
  }

  /**
   * Adds every string constant that a test source under {@code root} names as a key ({@code KEY_A},
   * {@code TEST_ENCRYPTION_KEY}, ...) with a value of 20 or more characters (an admin API key has
   * at least 20): keys added to tests later are looked for without editing this scan.
   */
  LogSecretsScanner literalsFromTestSources() {
    for (Path module : modules()) {
      for (Path sources :
          List.of(module.resolve("src/test/java"), module.resolve("src/main/java"))) {
        if (!Files.isDirectory(sources)
            || (sources.endsWith("src/main/java") && !module.endsWith("testkit"))) {
          continue;
        }
        try (Stream<Path> files = Files.walk(sources)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            Matcher m = KEY_CONSTANT.matcher(Files.readString(f));
            while (m.find()) {
              literal("test key from " + f.getFileName(), m.group(1));
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return this;
  }

  /** Every module directory: a direct child of the root with a {@code pom.xml}. */
  List<Path> modules() {
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(d -> Files.isRegularFile(d.resolve("pom.xml")))
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The log files of the build, in a stable order. */
  List<Path> logFiles() {
    List<Path> out = new ArrayList<>();
    for (Path module : modules()) {
      Path target = module.resolve("target");
      for (String reports : List.of("surefire-reports", "failsafe-reports")) {
        Path dir = target.resolve(reports);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> files = Files.list(dir)) {
            files
                .filter(f -> f.getFileName().toString().endsWith("-output.txt"))
                .filter(Files::isRegularFile)
                .forEach(out::add);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
      Path processLogs = target.resolve("process-logs");
      if (Files.isDirectory(processLogs)) {
        try (Stream<Path> files = Files.walk(processLogs)) {
          files.filter(Files::isRegularFile).forEach(out::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  Report scan() {
    List<Path> files = logFiles();
    long lines = 0;
    int exempt = 0;
    List<Finding> findings = new ArrayList<>();
    for (Path f : files) {
      // Bytes as Latin-1: every byte is one character, so a log that is not UTF-8 is read too.
      try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
        int n = 0;
        for (String read; (read = r.readLine()) != null; ) {
          String line = read;
          n++;
          if (EXEMPT.stream().anyMatch(p -> p.matcher(line).matches())) {
            exempt++;
            continue;
          }
          List<int[]> spans = new ArrayList<>();
          List<String> kinds = new ArrayList<>();
          find(line, spans, kinds);
          if (!spans.isEmpty()) {
            findings.add(new Finding(root.relativize(f), n, kinds, mask(line, spans)));
          }
        }
        lines += n;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    return new Report(root, files, lines, exempt, findings);
  }

  private void find(String line, List<int[]> spans, List<String> kinds) {
    String lower = line.toLowerCase(Locale.ROOT);
    if (lower.contains("whsec_")
        || lower.contains("fwk_")
        || lower.contains("bearer")
        || lower.contains("encryption")) {
      for (Rule rule : RULES) {
        Matcher m = rule.pattern().matcher(line);
        while (m.find()) {
          spans.add(new int[] {m.start(rule.group()), m.end(rule.group())});
          if (!kinds.contains(rule.kind())) {
            kinds.add(rule.kind());
          }
        }
      }
    }
    for (Map.Entry<String, String> literal : literals.entrySet()) {
      for (int at = line.indexOf(literal.getKey());
          at >= 0;
          at = line.indexOf(literal.getKey(), at + 1)) {
        spans.add(new int[] {at, at + literal.getKey().length()});
        if (!kinds.contains(literal.getValue())) {
          kinds.add(literal.getValue());
        }
      }
    }
  }

  /** The line with every span replaced by a marker of its length, cut to 300 characters. */
  static String mask(String line, List<int[]> spans) {
    boolean[] secret = new boolean[line.length()];
    for (int[] s : spans) {
      for (int i = s[0]; i < s[1]; i++) {
        secret[i] = true;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < line.length(); ) {
      if (secret[i]) {
        int start = i;
        while (i < line.length() && secret[i]) {
          i++;
        }
        sb.append("[MASKED ").append(i - start).append(" chars]");
      } else {
        char c = line.charAt(i++);
        sb.append(Character.isISOControl(c) ? '?' : c);
      }
    }
    return sb.length() > 300 ? sb.substring(0, 300) + "..." : sb.toString();
  }
}
