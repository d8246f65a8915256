package dev.provide.train.cli;

import dev.provide.graph.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a training run keeps in its folder, to tell whether a folder holds one and to clear it. */
final class RunFolder {
  /** The files of a run beside its checkpoints folder. */
  private static final List<String> FILES = List.of("config.json", RunFlags.FILE, "metrics.csv");
  /** TensorBoard event files: {@code events.out.tfevents.*}. */
  private static final String EVENTS = "events.out.tfevents.";

  private RunFolder() {}

  /** Whether {@code dir} holds (part of) a training run. */
  static boolean holdsRun(Path dir) throws IOException {
    return !runFiles(dir).isEmpty();
  }

  /**
   * Deletes the run's files and folders in {@code dir} (configuration, flags, logs, events,
   * checkpoints), leaving anything else there alone.
   *
   * @return how many were deleted
   */
  static int clear(Path dir) throws IOException {
    List<Path> files = runFiles(dir);
    for (Path p : files) {
      dev.provide.ops.PartialFiles.deleteTree(p);
    }
    return files.size();
  }

  private static List<Path> runFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    for (String name : FILES) {
      if (Files.exists(dir.resolve(name))) {
        out.add(dir.resolve(name));
      }
    }
    if (Files.exists(dir.resolve(Checkpoints.FOLDER))) {
      out.add(dir.resolve(Checkpoints.FOLDER));
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> p.getFileName().toString().startsWith(EVENTS)).forEach(out::add);
    }
    return out;
  }
}
