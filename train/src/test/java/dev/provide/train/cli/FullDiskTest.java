package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Commands that write onto a really full disk: a 1 MB tmpfs, mounted for the test (which needs
 * the right to mount, as root in a container usually has; elsewhere the tests are skipped). Each
 * must end in one line that says the disk is full and names what it was writing, and leave
 * nothing half-written behind.
 */
class FullDiskTest {
  @TempDir Path dir;
  private Path disk;

  @BeforeEach
  void mountATinyDisk() throws Exception {
    disk = dir.resolve("disk");
    Files.createDirectories(disk);
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString()) == 0,
        "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): the full-disk tests are skipped");
  }

  @AfterEach
  void unmount() throws Exception {
    run("umount", disk.toString());
  }

  @Test
  void dataGenerateSaysTheDiskIsFullNamesItsFileAndLeavesNothing() throws Exception {
    Path out = disk.resolve("clips.tfrecord");
    String err = failing("data", "generate", "--count", "100", "--frames", "20", "--size", "32", "--out", out.toString());
    assertTrue(err.contains("No space left on device") && err.contains(out.toString()), err);
    assertEmpty(disk);
  }

  @Test
  void exportSaysTheDiskIsFullAndRemovesWhatItStarted() throws Exception {
    Path out = disk.resolve("models");
    String err = failing("export", "--checkpoint", Path.of("..", "testdata", "model").toString(), "--out", out.toString(),
        "--version", "1", "--frames", "4");
    assertTrue(err.contains("No space left on device"), err);
    assertEmpty(disk);
  }

  @Test
  void trainingWhoseCheckpointDoesNotFitStopsWithOneLineAndKeepsNoHalfCheckpoint() throws Exception {
    Path data = dir.resolve("d.tfrecord");
    assertEquals(0, ProvideCommand.commandLine().execute("data", "generate", "--frames", "4", "--size", "16", "--count", "4",
        "--seed", "2", "--out", data.toString()));
    Path run = disk.resolve("run");
    String err = failing("train", "--data", data.toString(), "--val-count", "1", "--run", run.toString(), "--steps", "2",
        "--batch", "1", "--frames", "3", "--xla", "false");
    assertTrue(err.contains("No space left on device") || err.contains("Resource exhausted"), err);
    Path checkpoints = run.resolve("checkpoints");
    if (Files.isDirectory(checkpoints)) {
      try (Stream<Path> s = Files.list(checkpoints)) {
        assertEquals(List.of(), s.toList(), "a half-written checkpoint was left");
      }
    }
  }

  @Test
  void picturesAndReportsOnAFullDiskNameTheirFileAndLeaveNoFolder() throws Exception {
    Path filler = disk.resolve("filler");
    try (var out = Files.newOutputStream(filler)) { // fill the disk to the last block
      byte[] block = new byte[4096];
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (java.io.IOException full) {
      // the disk is full
    }
    String model = Path.of("..", "testdata", "model").toString();
    Path data = Path.of("..", "testdata", "golden", "input.tfrecord");
    String[][] commands = {
        {"render", "--checkpoint", model, "--data", data.toString(), "--frames", "2", "--out", disk.resolve("render/a").toString()},
        {"predict", "--checkpoint", model, "--data", data.toString(), "--count", "1", "--observe", "2", "--future", "1",
            "--out", disk.resolve("predict").toString()},
        {"evaluate", "--checkpoint", model, "--data", data.toString(), "--count", "1", "--lengths", "3",
            "--out", disk.resolve("evaluate").toString()},
        {"data", "show", data.toString(), "--out", disk.resolve("show/s.png").toString()}};
    for (String[] command : commands) {
      String err = failing(command);
      assertTrue(err.contains("No space left on device") && err.contains(disk.toString()), command[0] + ": " + err);
      try (Stream<Path> s = Files.list(disk)) {
        assertEquals(List.of(filler), s.toList(), command[0] + " left a folder behind");
      }
    }
  }

  /** Runs a provide command that must fail as bad input, with a one-line message; returns it. */
  private static String failing(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = ProvideCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute(args);
    String message = err.toString().strip();
    assertEquals(UserErrors.BAD_INPUT, status, message);
    assertEquals(1, message.lines().count(), message);
    return message;
  }

  private static void assertEmpty(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      assertEquals(List.of(), s.toList(), "left behind on the full disk");
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
