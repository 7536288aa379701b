package com.flintn.webhooks.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes a new file that only its owner can read, from the moment it exists. */
final class OwnerOnlyFile {
  private OwnerOnlyFile() {}

  static void create(Path file, String text) throws IOException {
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system: the directory's permissions apply
    }
    Files.writeString(file, text);
  }
}
