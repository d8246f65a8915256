package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what Ctrl-C's SIGINT and a scheduler's stop do alike) to a training process in its own
 * JVM: it saves a checkpoint at the step it reached, says so, and a resume continues from there.
 */
class TrainSignalTest {
  @TempDir Path dir;

  @Test
  void aSignalDuringTrainingSavesACheckpoint() throws Exception {
    Path data = dir.resolve("d.tfrecord");
    assertEquals(0, ProvideCommand.commandLine().execute(
        "data", "generate", "--frames", "5", "--size", "16", "--count", "6", "--seed", "4", "--out", data.toString()));
    Path run = dir.resolve("run");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ProvideCommand.class.getName(),
        "train", "--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3", "--run", run.toString(),
        "--steps", "100000", "--log-every", "1", "--checkpoint-every", "100000", "--validate-every", "100000");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (lastLoggedStep(run) < 3) {
        assertTrue(p.isAlive(), "training ended early:\n" + Files.readString(dir.resolve("log.txt")));
        assertTrue(System.nanoTime() < deadline, "no training step within 240 s");
        Thread.sleep(200);
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process did not stop within 120 s of SIGTERM");
    } finally {
      p.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
    assertTrue(log.contains("Interrupted; saved "), log);
    long saved = Checkpoints.latest(run).orElseThrow(() -> new AssertionError("no checkpoint:\n" + log)).step();
    assertTrue(saved >= 3, "saved at step " + saved);
    assertTrue(!log.contains("Exception"), log);
  }

  /** The highest step in the run's metrics.csv (0 before it exists). */
  private static long lastLoggedStep(Path run) throws Exception {
    Path csv = run.resolve("metrics.csv");
    if (!Files.exists(csv)) {
      return 0;
    }
    long last = 0;
    for (String line : Files.readAllLines(csv)) {
      String first = line.split(",", 2)[0];
      if (first.matches("\\d+")) {
        last = Math.max(last, Long.parseLong(first));
      }
    }
    return last;
  }
}
