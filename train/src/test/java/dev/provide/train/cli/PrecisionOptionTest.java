package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.Precision;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code train --precision}: bfloat16 trains where the CPU has it, and is refused in one line where it has not. */
class PrecisionOptionTest {
  @TempDir Path dir;

  @Test
  void bfloat16TrainsOnlyOnACpuWithNativeBfloat16() throws Exception {
    Path data = dir.resolve("d.tfrecord");
    assertEquals(0, ProvideCommand.commandLine().execute("data", "generate", "--frames", "4", "--size", "16", "--count", "4",
        "--seed", "8", "--out", data.toString()));
    Path run = dir.resolve("run");
    StringWriter err = new StringWriter();
    CommandLine cl = ProvideCommand.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute("train", "--data", data.toString(), "--val-count", "1", "--run", run.toString(), "--steps", "2",
        "--batch", "1", "--frames", "3", "--precision", "bfloat16", "--xla", "false");
    if (Precision.cpuHasNativeBfloat16()) {
      assertEquals(0, status, err.toString());
      assertEquals(2, Checkpoints.latest(run).orElseThrow().step());
    } else {
      assertEquals(UserErrors.BAD_INPUT, status, err.toString());
      assertTrue(err.toString().contains("needs a CPU with native bfloat16"), err.toString());
      assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
    StringWriter bad = new StringWriter();
    CommandLine again = ProvideCommand.commandLine();
    again.setErr(new PrintWriter(bad, true));
    assertEquals(UserErrors.BAD_INPUT, again.execute("train", "--data", data.toString(), "--run", dir.resolve("r2").toString(),
        "--precision", "fp16"));
    assertTrue(bad.toString().contains("--precision must be float32 or bfloat16"), bad.toString());
  }

  @Test
  void trainSuggestsBfloat16OnlyWhereItWasMeasuredFaster() {
    assertTrue(TrainCommand.bfloat16WouldPay(false, Precision.FLOAT32, 64, true), "paper preset, native bfloat16");
    assertFalse(TrainCommand.bfloat16WouldPay(false, Precision.FLOAT32, 32, true), "the cpu preset was slower in bfloat16");
    assertFalse(TrainCommand.bfloat16WouldPay(false, Precision.FLOAT32, 64, false), "emulated bfloat16 is slower");
    assertFalse(TrainCommand.bfloat16WouldPay(false, Precision.BFLOAT16, 64, true), "already bfloat16");
    assertFalse(TrainCommand.bfloat16WouldPay(true, Precision.FLOAT32, 64, true), "not measured on a GPU");
  }
}
