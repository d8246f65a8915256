package dev.provide.train.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One timing of the official PyTorch code's training step at the paper preset's sizes, run by
 * {@code tools/bench/reference_step.py} on a clone of BorealisAI/PROVIDE (not vendored: its
 * licence is CC BY-NC-SA) with Debian's {@code python3-torch}.
 */
public final class ReferenceStep {
  private ReferenceStep() {}

  /**
   * The median and minimum seconds per step.
   *
   * @param medianSeconds median of the timed steps
   * @param minSeconds the fastest timed step
   * @param torch PyTorch's version
   */
  public record Timing(double medianSeconds, double minSeconds, String torch) {}

  /**
   * Runs the reference's step {@code warmup + runs} times and returns the timing.
   *
   * @param clone a clone of https://github.com/BorealisAI/PROVIDE
   * @param home this project's folder (where {@code tools/bench/reference_step.py} is)
   * @throws IllegalArgumentException when the clone, Python or PyTorch is missing, saying which
   */
  public static Timing run(Path clone, Path home, int threads, int warmup, int runs) throws IOException, InterruptedException {
    if (!Files.isRegularFile(clone.resolve("src").resolve("model.py"))) {
      throw new IllegalArgumentException(clone + " is not a clone of BorealisAI/PROVIDE (it has no src/model.py): "
          + "git clone https://github.com/BorealisAI/PROVIDE " + clone);
    }
    Path script = home.resolve("tools").resolve("bench").resolve("reference_step.py");
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException("cannot find " + script + " (run provide from this project's folder)");
    }
    Path python = Path.of("/usr/bin/python3");
    if (!Files.isExecutable(python)) {
      throw new IllegalArgumentException("the reference needs /usr/bin/python3 with PyTorch: apt-get install python3-torch");
    }
    ProcessBuilder pb = new ProcessBuilder(List.of(python.toString(), script.toString(), "--clone", clone.toString(),
        "--threads", String.valueOf(threads), "--warmup", String.valueOf(warmup), "--runs", String.valueOf(runs)))
        .redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(1, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IOException("the reference step did not finish within an hour");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      if (text.contains("No module named 'torch'")) {
        throw new IllegalArgumentException("the reference needs PyTorch for /usr/bin/python3: apt-get install python3-torch");
      }
      String[] lines = text.strip().split("\n");
      throw new IOException("the reference step failed (exit " + p.exitValue() + "): " + lines[lines.length - 1]);
    }
    String[] lines = text.strip().split("\n");
    JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    return new Timing(json.get("median_s").getAsDouble(), json.get("min_s").getAsDouble(), json.get("torch").getAsString());
  }
}
