package dev.stagefleet.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/** The files local mode leaves for kubectl and scripts: written whole or not at all, and told in words when they fail. */
final class LocalFiles {
  private LocalFiles() {
  }

  /** Creates the file's directory and checks a file can be written there, leaving nothing behind. */
  static void ensureWritable(Path file, String what) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("cannot write " + what + " " + file + ": it is a directory");
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.deleteIfExists(Files.writeString(temporary(file), ""));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + what + " " + file + ": " + reason(e));
    }
  }

  /** Writes {@code content} as JSON through a temporary file, so a reader never sees half of it. */
  static void writeJson(Path file, Map<String, Object> content, String what) {
    try {
      Files.writeString(temporary(file), new ObjectMapper().writeValueAsString(content));
      Files.move(temporary(file), file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + what + " " + file + ": " + reason(e));
    }
  }

  /** Removes a file left by an earlier run; one that cannot be removed stops the start. */
  static void remove(Path file, String what) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot remove " + what + " " + file + ": " + reason(e));
    }
  }

  private static Path temporary(Path file) {
    return file.resolveSibling(file.getFileName() + ".tmp");
  }

  /** What went wrong with a file, as a user would say it. */
  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
  }
}
