package dev.provide.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder a command writes its outputs into, made if missing (with its missing parents) and
 * removed again, with what the command had written so far, when the command fails before
 * {@link #done()} (a full disk, a bad
 * input found late): a failed command leaves no empty or half-filled folder it made. A folder that
 * existed before is left as it is.
 *
 * <pre>{@code
 * try (OutputFolder folder = OutputFolder.create(out)) {
 *   ... write files into folder.path() ...
 *   folder.done();
 * }
 * }</pre>
 */
public final class OutputFolder implements AutoCloseable {
  private final Path dir;
  /** The outermost folder made here (dir or a parent of it), or null when dir existed. */
  private final Path made;
  private boolean done;

  private OutputFolder(Path dir, Path made) {
    this.dir = dir;
    this.made = made;
  }

  /**
   * Makes {@code dir} (and its parents) unless it exists.
   *
   * @throws IOException naming {@code dir} when it is a file or cannot be made
   */
  public static OutputFolder create(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IOException(dir + " is a file; the output goes into a folder: give a folder's name");
    }
    Path made = null;
    for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
      made = p;
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException("cannot make the folder " + dir + ": " + ErrorMessages.innermost(e), e);
    }
    return new OutputFolder(dir, made);
  }

  /** The folder. */
  public Path path() {
    return dir;
  }

  /** Everything was written: keep the folder. */
  public void done() {
    done = true;
  }

  /** Removes the folders made here (with their contents) when the command did not finish. */
  @Override
  public void close() throws IOException {
    if (!done && made != null && Files.exists(made)) {
      PartialFiles.deleteTree(made);
    }
  }
}
