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
    Path data = clips(4);
    Path run = dir.resolve("run");
    Process p = start(List.of("train", "--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3",
        "--run", run.toString(), "--steps", "100000", "--log-every", "1", "--checkpoint-every", "100000",
        "--validate-every", "100000"), dir.resolve("log.txt"));
    try {
      awaitStep(p, run, 3, dir.resolve("log.txt"), 200);
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

  @Test
  void killMinus9AtRandomPointsNeverLeavesAnUnreadableRun() throws Exception {
    Path data = clips(5);
    Path run = dir.resolve("run");
    java.util.Random rnd = new java.util.Random(9);
    for (int kill = 0; kill < 3; kill++) {
      List<String> args = new java.util.ArrayList<>(List.of("train", "--run", run.toString(), "--steps", "100000"));
      if (kill == 0) {
        args.addAll(List.of("--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3",
            "--log-every", "1", "--checkpoint-every", "1", "--keep", "2", "--validate-every", "100000"));
      } else {
        args.add("--resume");
      }
      Process p = start(args, dir.resolve("log" + kill + ".txt"));
      try {
        // Kill at a random point of a step or a save.
        awaitStep(p, run, lastLoggedStep(run) + 2 + rnd.nextInt(4), dir.resolve("log" + kill + ".txt"), 20 + rnd.nextInt(200));
        p.destroyForcibly(); // SIGKILL: no hook runs
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      } finally {
        p.destroyForcibly();
      }
    }
    // Whatever the kills interrupted, the run resumes from a checkpoint that reads and goes on.
    long before = Checkpoints.latest(run).orElseThrow().step();
    Process last = start(List.of("train", "--run", run.toString(), "--resume", "--steps", String.valueOf(before + 2)), dir.resolve("last.txt"));
    assertTrue(last.waitFor(240, TimeUnit.SECONDS), "the resumed run did not finish");
    String log = Files.readString(dir.resolve("last.txt"));
    assertEquals(0, last.exitValue(), log);
    assertEquals(before + 2, Checkpoints.latest(run).orElseThrow().step(), log);
  }

  /** A small clip file made by the generator with {@code seed}. */
  private Path clips(long seed) {
    Path data = dir.resolve("d" + seed + ".tfrecord");
    assertEquals(0, ProvideCommand.commandLine().execute(
        "data", "generate", "--frames", "5", "--size", "16", "--count", "6", "--seed", String.valueOf(seed), "--out", data.toString()));
    return data;
  }

  /** Waits until the run has logged {@code step}, polling every {@code pollMillis}. */
  private static void awaitStep(Process p, Path run, long step, Path log, long pollMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (lastLoggedStep(run) < step) {
      assertTrue(p.isAlive(), "training ended early:\n" + Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "step " + step + " not reached within 240 s");
      Thread.sleep(pollMillis);
    }
  }

  private static Process start(List<String> args, Path log) throws java.io.IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ProvideCommand.class.getName()));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
