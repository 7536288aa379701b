package com.flintn.webhooks.common.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files on disk that the product and its tools create for themselves and remove again. */
public final class Directories {
  private Directories() {}

  /**
   * Deletes {@code dir} and everything in it, as far as it can: for temporary directories (a
   * broker's data, Streams' lock files), where a leftover is not worth failing for and the system's
   * temporary-file cleaning takes what remains.
   */
  public static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // already gone, or not readable: left as it is
    }
  }
}
