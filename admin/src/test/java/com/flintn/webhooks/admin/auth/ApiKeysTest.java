package com.flintn.webhooks.admin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.flintn.webhooks.common.config.ConfigException;
import com.flintn.webhooks.common.message.AccountId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void readsKeyAccountPairsSkippingCommentsAndBlankLines() throws Exception {
    Path f =
        write(
            "# ops keys\n\nkey-for-account-one-000001 acc_1  # team one\n  key-for-account-two-000002\tacc_2  \n");
    ApiKeys keys = ApiKeys.load(f);
    assertThat(keys.size()).isEqualTo(2);
    assertThat(keys.authenticate("key-for-account-one-000001")).contains(AccountId.of("acc_1"));
    assertThat(keys.authenticate("key-for-account-two-000002")).contains(AccountId.of("acc_2"));
    assertThat(keys.authenticate("key-for-account-one-00000")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate(null)).isEmpty();
  }

  @Test
  void badLinesStopStartupNamingKeyAndLine() throws Exception {
    assertThatThrownBy(() -> ApiKeys.load(write("key-for-account-one-000001 acc_1\nlonely\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("admin.api-keys")
        .hasMessageContaining("line 2")
        .hasMessageContaining("key account_id");
    assertThatThrownBy(() -> ApiKeys.load(write("short acc_1\n")))
        .hasMessageContaining("shorter than 20");
    assertThatThrownBy(() -> ApiKeys.load(write("key-for-account-one-000001 acc.1\n")))
        .hasMessageContaining("line 1");
    assertThatThrownBy(() -> ApiKeys.load(write("# nothing\n"))).hasMessageContaining("no keys");
    assertThatThrownBy(
            () ->
                ApiKeys.load(
                    write("key-for-account-one-000001 acc_1\nkey-for-account-one-000001 acc_2\n")))
        .hasMessageContaining("line 2")
        .hasMessageContaining("listed before");
    assertThatThrownBy(() -> ApiKeys.load(dir.resolve("missing")))
        .hasMessageContaining("cannot read");
  }

  @Test
  void generatedKeysAreLongRandomAndAccepted() throws Exception {
    String a = ApiKeys.generate();
    assertThat(a).startsWith("fwk_").hasSizeGreaterThan(40).isNotEqualTo(ApiKeys.generate());
    assertThat(ApiKeys.load(write(a + " acc_demo\n")).authenticate(a))
        .contains(AccountId.of("acc_demo"));
  }

  private Path write(String text) throws Exception {
    Path f = Files.createTempFile(dir, "keys", ".txt");
    Files.writeString(f, text);
    return f;
  }
}
