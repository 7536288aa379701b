package com.flintn.webhooks.common.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
  @TempDir Path parent;

  @Test
  void aTreeIsRemovedWithEverythingInIt() throws Exception {
    Path dir = parent.resolve("data");
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/segment.log"), "x");
    Files.writeString(dir.resolve("lock"), "");

    Directories.deleteQuietly(dir);

    assertThat(dir).doesNotExist();
    assertThat(parent).isDirectory();
  }

  @Test
  void aDirectoryAlreadyGoneIsNotAnError() {
    Directories.deleteQuietly(parent.resolve("never-created"));

    assertThat(parent.resolve("never-created")).doesNotExist();
  }
}
