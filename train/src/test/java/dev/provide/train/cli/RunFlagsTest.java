package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunFlagsTest {
  @TempDir Path dir;

  private static Map<String, List<String>> given(TrainCommand c) {
    return RunFlags.given(c.spec.commandLine().getParseResult());
  }

  private static TrainCommand parse(String... args) {
    TrainCommand c = new TrainCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void resumeTakesTheSavedFlagsUnlessGivenAgain() throws Exception {
    TrainCommand first = parse("--data", "d.tfrecord", "--run", "r", "--lr", "4e-4", "--xla", "--batch", "8",
        "--noise-warmup", "3000", "--lr-decay-from", "0.7");
    RunFlags.save(dir, RunFlags.given(first.spec.commandLine().getParseResult()));

    TrainCommand resumed = parse("--data", "d.tfrecord", "--run", "r", "--resume", "--batch", "2", "--minutes", "20");
    assertEquals(5e-4, resumed.lr, 0, "before restoring, the default");
    List<String> restored = new ArrayList<>();
    Map<String, List<String>> inForce = RunFlags.restore(dir, resumed.spec, given(resumed), TrainCommand::new, restored);

    assertEquals(4e-4, resumed.lr, 0);
    assertTrue(resumed.xla);
    assertEquals(3000, resumed.noiseWarmup);
    assertEquals(0.7, resumed.lrDecayFrom, 0);
    assertEquals(2, resumed.batch, "a flag given again wins");
    assertEquals(20, resumed.minutes, 0);
    assertEquals(List.of("--lr", "4e-4", "--xla", "true", "--noise-warmup", "3000", "--lr-decay-from", "0.7"), restored);
    assertEquals(List.of("--batch", "2"), inForce.get("--batch"));
    assertFalse(inForce.containsKey("--resume"), "--resume belongs to one invocation");

    // saved again, the next resume sees the merged flags
    RunFlags.save(dir, inForce);
    TrainCommand again = parse("--run", "r", "--resume");
    RunFlags.restore(dir, again.spec, given(again), TrainCommand::new, new ArrayList<>());
    assertEquals(Path.of("d.tfrecord"), again.data, "--data may be left out on --resume");
    assertEquals(2, again.batch);
    assertEquals(4e-4, again.lr, 0);
    assertEquals(20, again.minutes, 0);
  }

  @Test
  void aRunWithoutTheFileKeepsTheGivenFlags() throws Exception {
    TrainCommand resumed = parse("--data", "d.tfrecord", "--run", "r", "--resume");
    List<String> restored = new ArrayList<>();
    RunFlags.restore(dir, resumed.spec, given(resumed), TrainCommand::new, restored);
    assertEquals(5e-4, resumed.lr, 0);
    assertTrue(restored.isEmpty());
  }

  @Test
  void aNewRunSavesItsDefaultsSoThatALaterDefaultDoesNotChangeIt() throws Exception {
    TrainCommand first = parse("--data", "d.tfrecord", "--run", "r", "--xla", "false");
    assertEquals(Boolean.FALSE, first.xla);
    RunFlags.save(dir, RunFlags.withDefaults(first.spec, RunFlags.given(first.spec.commandLine().getParseResult())));
    // as if a later version had other defaults
    String file = Files.readString(dir.resolve(RunFlags.FILE));
    assertTrue(file.contains("\"--kl-warmup\"") && file.contains("\"--lr\""), file);
    Files.writeString(dir.resolve(RunFlags.FILE), file.replace("\"5.0E-4\"", "\"2.0E-4\""));
    TrainCommand resumed = parse("--run", "r", "--resume");
    RunFlags.restore(dir, resumed.spec, given(resumed), TrainCommand::new, new ArrayList<>());
    assertEquals(2e-4, resumed.lr, 0, "the run's own saved value, not today's default");
    assertEquals(3000, resumed.klWarmup);
    assertEquals(Boolean.FALSE, resumed.xla);
    assertEquals(null, parse("--data", "d").xla, "not given: the device decides");
  }

  @Test
  void aDamagedFileIsAClearError() throws Exception {
    Files.writeString(dir.resolve(RunFlags.FILE), "{\"args\": [\"--lr\", \"fast\"]}");
    TrainCommand resumed = parse("--data", "d.tfrecord", "--run", "r", "--resume");
    var e = assertThrows(IllegalArgumentException.class,
        () -> RunFlags.restore(dir, resumed.spec, given(resumed), TrainCommand::new, new ArrayList<>()));
    assertTrue(e.getMessage().contains(RunFlags.FILE) && e.getMessage().contains("fast"), e.getMessage());
  }
}
