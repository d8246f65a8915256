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

  /**
   * Writes {@code text} (UTF-8) to {@code target} atomically: under a temporary name, renamed
   * when complete, so a full disk or a crash never leaves a cut file under the real name.
   */
  public static void writeString(Path target, String text) throws IOException {
    Path tmp = file(target);
    try {
      Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
      publish(tmp, target);
    } catch (IOException e) { // a full disk says only "No space left on device": name the file
      throw new IOException("cannot write " + target + ": " + ErrorMessages.innermost(e), e);
    } finally {
      Files.deleteIfExists(tmp);
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

  /**
   * Deletes what an interrupted earlier write of {@code target} left behind: the
   * {@code .NAME.*.partial} files and folders beside it. Call it before writing {@code target}
   * again.
   *
   * @return how many were deleted
   */
  public static int removeLeftovers(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    String prefix = "." + target.getFileName() + ".";
    return removeLeftovers(dir, name -> name.startsWith(prefix));
  }

  /**
   * Deletes every {@code .*.partial} file and folder directly in {@code dir} whose name passes
   * {@code which} (for a folder, such as a run's checkpoints, that only one writer uses).
   *
   * @return how many were deleted
   */
  public static int removeLeftovers(Path dir, java.util.function.Predicate<String> which) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    int n = 0;
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".partial") && which.test(name)) {
          deleteTree(p);
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Deletes {@code partial} if the JVM exits (Ctrl-C, SIGTERM) before {@link #keep} is called
   * with the returned hook, that is before it is published or deleted.
   *
   * @return the hook, for {@link #keep}
   */
  public static Thread deleteOnExit(Path partial) {
    Thread hook = new Thread(() -> {
      try {
        deleteTree(partial);
      } catch (IOException ignored) {
        // Best effort: the next write of the same target removes it.
      }
    }, "remove-partial");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** Cancels a {@link #deleteOnExit} hook (the partial was published or deleted). */
  public static void keep(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting: the hook runs and finds nothing, or the partial it must remove.
    }
  }

  /** Deletes a file, or a folder with everything in it (links are deleted, not followed). */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (java.util.stream.Stream<Path> s = Files.walk(p)) {
      for (Path q : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(q);
      }
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
