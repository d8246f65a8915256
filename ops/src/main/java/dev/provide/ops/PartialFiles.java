package dev.provide.ops;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary siblings for writing files and folders atomically: write to {@link #file} or
 * {@link #directory}, then {@link #publish} renames it to its real name. Unlike
 * {@code Files.createTempFile}, the temporaries get the default permissions (the umask), so a
 * published model or data file is readable by other users, as TensorFlow Serving often runs.
 */
public final class PartialFiles {
  private PartialFiles() {}

  /** Creates an empty file {@code .NAME.RANDOM.partial} beside {@code target}. */
  public static Path file(Path target) throws IOException {
    Path dir = parent(target);
    for (int i = 0; ; i++) {
      try {
        return Files.createFile(sibling(dir, target));
      } catch (FileAlreadyExistsException e) {
        if (i > 100) {
          throw e;
        }
      }
    }
  }

  /** Creates an empty folder {@code .NAME.RANDOM.partial} beside {@code target}. */
  public static Path directory(Path target) throws IOException {
    Path dir = parent(target);
    for (int i = 0; ; i++) {
      try {
        return Files.createDirectory(sibling(dir, target));
      } catch (FileAlreadyExistsException e) {
        if (i > 100) {
          throw e;
        }
      }
    }
  }

  /** Renames {@code partial} to {@code target}, replacing a file (not a non-empty folder). */
  public static void publish(Path partial, Path target) throws IOException {
    try {
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Path parent(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    return dir;
  }

  private static Path sibling(Path dir, Path target) {
    long r = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    return dir.resolve("." + target.getFileName() + "." + Long.toString(r, 36) + ".partial");
  }
}
