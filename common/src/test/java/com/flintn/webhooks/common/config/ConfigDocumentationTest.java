package com.flintn.webhooks.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The configuration table of the operators' page (docs/operators.md) is the list of {@link
 * ConfigKey}, so it cannot drift.
 */
class ConfigDocumentationTest {
  @Test
  void operatorsPageTableListsEveryKeyWithItsEnvironmentVariableAndDefault() throws Exception {
    String page =
        Files.readString(
            Path.of(System.getProperty("flintn.root", "..")).resolve("docs/operators.md"));
    assertThat(page).contains("<!-- config-table -->", "<!-- /config-table -->");
    String table =
        page.substring(
            page.indexOf("<!-- config-table -->"), page.indexOf("<!-- /config-table -->"));
    StringBuilder expected = new StringBuilder();
    expected.append("| key | environment | default | meaning |\n|---|---|---|---|\n");
    for (ConfigKey k : ConfigKey.values()) {
      expected
          .append("| `")
          .append(k.key())
          .append("` | `")
          .append(k.environmentVariable())
          .append("` | ")
          .append(k.defaultValue().filter(v -> !v.isEmpty()).map(v -> "`" + v + "`").orElse(""))
          .append(" | ")
          .append(k.description())
          .append(" |\n");
    }
    assertThat(table.substring(table.indexOf('\n') + 1)).isEqualTo(expected.toString());
  }
}
