package com.flintn.webhooks.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The minimum JDK is one number: the POM's enforcer rule, the README, the launcher script's check
 * and the Dockerfile's images all say the same, and it is recent enough for the JVM options those
 * files pass ({@code --sun-misc-unsafe-memory-access} exists from JDK 23, JEP 471).
 */
class JdkMinimumTest {
  private static final Path ROOT = Path.of(System.getProperty("flintn.root", ".")).toAbsolutePath();
  private static final int UNSAFE_MEMORY_ACCESS_FLAG_SINCE = 23;

  @Test
  void thePomTheReadmeTheLauncherAndTheDockerfileAgree() throws Exception {
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    int minimum =
        Integer.parseInt(
            only(
                pom,
                "<requireJavaVersion>\\s*(?:<!--.*?-->\\s*)?<version>\\[(\\d+),\\)</version>"));
    assertThat(all(pom, "needs JDK (\\d+) or newer")).containsOnly(minimum);

    List<Integer> readme = all(Files.readString(ROOT.resolve("README.md")), "JDK (\\d+) or newer");
    assertThat(readme).isNotEmpty().containsOnly(minimum);

    String script = Files.readString(ROOT.resolve("bin/flintn-webhooks"));
    assertThat(Integer.parseInt(only(script, "\nMIN_JDK=(\\d+)\n"))).isEqualTo(minimum);
    assertThat(all(script, "-ge (\\d+)")).as("checks use $MIN_JDK, not a number").isEmpty();
    assertThat(script).contains("-ge \"$MIN_JDK\"");
    assertThat(all(script, "JDK (\\d+) or newer")).containsOnly(minimum);

    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    List<Integer> images = all(dockerfile, "(?m)^FROM \\S*temurin[-:](\\d+)");
    assertThat(images).hasSize(2).containsOnly(minimum);

    for (String file : List.of(pom, script, dockerfile)) {
      if (file.contains("--sun-misc-unsafe-memory-access")) {
        assertThat(minimum).isGreaterThanOrEqualTo(UNSAFE_MEMORY_ACCESS_FLAG_SINCE);
      }
    }
  }

  private static String only(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
    assertThat(m.find()).as("finds %s", regex).isTrue();
    String value = m.group(1);
    assertThat(m.find()).as("finds %s only once", regex).isFalse();
    return value;
  }

  private static List<Integer> all(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    List<Integer> found = new ArrayList<>();
    while (m.find()) {
      found.add(Integer.parseInt(m.group(1)));
    }
    return found;
  }
}
