package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code provide train} on a pattern of several clip files: streamed, and resumed mid-stream. */
class StreamedTrainingTest {
  @TempDir Path dir;

  @Test
  void trainsOnAPatternOfFilesThroughTheShuffleBufferAndResumes() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(0, ProvideCommand.commandLine().execute("data", "generate", "--frames", "4", "--size", "16", "--count", "5",
          "--seed", String.valueOf(40 + i), "--out", dir.resolve("part-" + i + ".tfrecord").toString()));
    }
    Path run = dir.resolve("run");
    String pattern = dir.resolve("part-*.tfrecord").toString();
    String first = capture(() -> ProvideCommand.commandLine().execute("train", "--data", pattern, "--val-count", "2", "--run",
        run.toString(), "--steps", "2", "--batch", "2", "--frames", "3", "--shuffle-buffer", "4", "--validate-every", "100"));
    assertTrue(first.contains("13 sequences streamed from 3 files through a shuffle buffer of 4"), first);
    assertEquals(2, Checkpoints.latest(run).orElseThrow().step(), first);
    String resumed = capture(() -> ProvideCommand.commandLine().execute("train", "--run", run.toString(), "--resume", "--steps", "4"));
    assertTrue(resumed.contains("streamed from 3 files"), resumed);
    assertEquals(4, Checkpoints.latest(run).orElseThrow().step(), resumed);
  }

  /** Runs {@code command} (which must exit 0) and returns what it wrote to stderr. */
  private static String capture(java.util.function.IntSupplier command) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status = command.getAsInt();
    } finally {
      System.setErr(old);
    }
    String out = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, out);
    return out;
  }
}
