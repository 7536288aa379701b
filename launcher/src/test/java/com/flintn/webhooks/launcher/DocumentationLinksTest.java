package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation holds together: every relative link in the README, the pages under docs/, the
 * deploy READMEs, BENCHMARKS.md and RELIABILITY.md names a file inside the repository that exists
 * (and a heading of it, when the link has an anchor); the README leads to every page under docs/;
 * and the README's test command is the one {@code .ci/run} runs.
 */
class DocumentationLinksTest {
  private static final Path ROOT =
      Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath().normalize();
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```[ \\t]*$");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`\\n]*`");
  private static final Pattern LINK =
      Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}[ \\t]+(.+?)[ \\t#]*$");

  @Test
  void everyRelativeLinkResolvesToAFileAndHeadingInTheRepository() throws IOException {
    List<Path> pages = pages();
    assertThat(pages).contains(ROOT.resolve("README.md"), ROOT.resolve("docs/receivers.md"));
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      for (String target : links(Files.readString(page))) {
        checked++;
        String problem = problem(page, target);
        if (problem != null) {
          broken.add(ROOT.relativize(page) + ": (" + target + ") " + problem);
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
    assertThat(checked).as("links checked").isGreaterThan(20);
  }

  @Test
  void theReadmeLeadsToEveryPageUnderDocs() throws IOException {
    Set<Path> linked = new HashSet<>();
    Path readme = ROOT.resolve("README.md");
    for (String target : links(Files.readString(readme))) {
      if (!SCHEME.matcher(target).find() && !target.startsWith("#")) {
        linked.add(readme.resolveSibling(target.replaceFirst("#.*", "")).normalize());
      }
    }
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      assertThat(docs.filter(p -> p.toString().endsWith(".md")).toList())
          .isNotEmpty()
          .allSatisfy(p -> assertThat(linked).as("README links %s", p).contains(p));
    }
  }

  @Test
  void theReadmeTestCommandIsTheOneCiRuns() throws IOException {
    List<String> ciLines =
        Files.readAllLines(ROOT.resolve(".ci/run")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
            .toList();
    String ciCommand = ciLines.getLast();
    assertThat(ciCommand).contains("./mvnw").contains("verify");
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertThat(readme)
        .contains("```sh\n" + ciCommand + "\n```")
        .contains("```sh\nbin/flintn-webhooks standalone --demo\n```");
  }

  /** Null when the link resolves, else what is wrong with it. */
  private static String problem(Path page, String target) throws IOException {
    if (SCHEME.matcher(target).find()) {
      return null; // an external address: not a file of the repository
    }
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
    if (file.startsWith("/") || !resolved.startsWith(ROOT)) {
      return "points outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor != null && resolved.toString().endsWith(".md")) {
      if (!anchors(Files.readString(resolved)).contains(anchor)) {
        return "no heading with anchor #" + anchor + " in " + ROOT.relativize(resolved);
      }
    }
    return null;
  }

  private static List<String> links(String markdown) {
    String text = CODE_SPAN.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    List<String> found = new ArrayList<>();
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as -. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
    while (m.find()) {
      String slug =
          m.group(1)
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "")
              .replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    for (String name : List.of("README.md", "BENCHMARKS.md", "RELIABILITY.md")) {
      pages.add(ROOT.resolve(name));
    }
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    try (Stream<Path> deploy = Files.walk(ROOT.resolve("deploy"))) {
      deploy
          .filter(p -> p.getFileName().toString().equals("README.md"))
          .sorted()
          .forEach(pages::add);
    }
    return pages;
  }
}
