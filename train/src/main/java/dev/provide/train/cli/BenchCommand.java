package dev.provide.train.cli;

import dev.provide.graph.ConfigJson;
import dev.provide.graph.ModelConfig;
import dev.provide.train.bench.Benchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code provide bench}: speed and memory on this machine. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Time training steps (paper preset at batch 2, cpu preset at its batch; 4-frame clips) and inference",
      "(whole clips and the online step path, batch 1 and 16). Prints one JSON object per case, then a table."
    })
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--cases", defaultValue = "train-paper,train-cpu,infer-b1,infer-b16,metrics", split = ",",
      description = "Which cases: train-paper, train-cpu, infer-b1, infer-b16 (inference uses --infer-preset), serve-b1, "
          + "serve-b16 (whole clips through a SavedModel of --model, with SavedModelBundle), metrics, conv-peak (one 3x3 convolution of the paper preset's decoder alone, forward and both gradients: the GFLOP/s "
          + "this machine's kernels reach, beside the training cases' conv_gflop_per_s). Default: ${DEFAULT-VALUE}.")
  List<String> cases;

  @Option(names = "--model", defaultValue = "testdata/model",
      description = "The model the serve cases export and load (a run, checkpoint or model folder). Default: ${DEFAULT-VALUE}.")
  java.nio.file.Path model;

  @Option(names = "--infer-preset", defaultValue = "cpu", description = "Preset of the inference cases. Default: ${DEFAULT-VALUE}.")
  String inferPreset;

  @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs first. Default: ${DEFAULT-VALUE}.")
  int warmup;

  @Option(names = "--steps", defaultValue = "5", description = "Timed runs per case. Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(names = "--frames", defaultValue = "10", description = "Frames per inference clip. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--threads", defaultValue = "0", description = "TensorFlow intra-op threads (0 = all cores).")
  int threads;

  @Option(names = "--inter-threads", defaultValue = "0", description = "TensorFlow inter-op threads (0 = default).")
  int interThreads;

  @Option(names = "--precision", defaultValue = "float32", description = "float32 or bfloat16 (oneDNN automatic mixed precision). Default: ${DEFAULT-VALUE}.")
  String precision;

  @Option(names = "--xla", description = "Ask for XLA JIT compilation (the session's global_jit_level). A no-op on a CPU "
      + "unless TF_XLA_FLAGS=--tf_xla_cpu_global_jit is set, where the cpu preset's step was measured 2-2.7x slower "
      + "(docs/PERFORMANCE.md).")
  boolean xla;

  @Option(names = "--materialize-broadcast", description = "Baseline: the decoder's first convolution on the materialised broadcast (slower).")
  boolean materialize;

  @Option(names = "--reference", paramLabel = "CLONE",
      description = "Time the official PyTorch code's training step (a clone of github.com/BorealisAI/PROVIDE; needs "
          + "/usr/bin/python3 with python3-torch) beside ours at the paper preset, alternating --rounds times, and print "
          + "the ratio. Runs only this comparison.")
  java.nio.file.Path reference;

  @Option(names = "--rounds", defaultValue = "2", description = "With --reference: rounds of reference then ours. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A model configuration JSON file for the train-cpu case instead of the cpu preset, for example "
          + "tools/configs/cpu-v1.json, the cpu preset of earlier commits, to time one configuration at two commits.")
  Path config;

  @Option(names = "--top-ops", defaultValue = "8", description = "Trace one more training step and list its N most expensive op types (top_ops) and op types by output shape (top_op_shapes), with their calls and mean time per call, the op time of its parts (op_time_by_part: forward, in-graph gradient, outer gradient, update), and its totals: ops run, summed op time and the step's span in ms (traced_ops, traced_op_ms, traced_step_ms; op time above the span means ops ran side by side). 0 = skip.")
  int topOps;

  @Override
  public Integer call() throws Exception {
    boolean bf16 = dev.provide.graph.Precision.parse(precision) == dev.provide.graph.Precision.BFLOAT16;
    if (bf16 && !dev.provide.graph.Precision.cpuHasNativeBfloat16()) {
      // Measured, not refused: the bench is how the cost of emulation is shown.
      System.err.println("note: this CPU has no native bfloat16 (AVX512_BF16 or AMX): oneDNN emulates it, so expect "
          + "bfloat16 to be several times slower than float32 here");
    }
    dev.provide.graph.Decoder.materializeBroadcast = materialize;
    Benchmark b = new Benchmark(new Benchmark.Settings(warmup, steps, threads, interThreads, bf16, xla));
    if (reference != null) {
      return sideBySide(b);
    }
    if (config != null && !Files.isRegularFile(config)) {
      throw new IllegalArgumentException("--config " + config + ": no such file");
    }
    ModelConfig cpu = config == null ? ModelConfig.cpu() : ConfigJson.read(config); // read once, before any case runs
    ModelConfig infer = ModelConfig.preset(inferPreset);
    List<Benchmark.Case> results = new ArrayList<>();
    for (String c : cases) {
      Benchmark.Case r;
      switch (c.trim()) {
        case "train-paper":
          r = b.training("train-paper", ModelConfig.paper(), 2, 4, topOps);
          break;
        case "train-cpu":
          r = b.training("train-cpu", cpu, 4, 4, topOps);
          break;
        case "infer-b1":
          r = b.inference("infer-" + inferPreset + "-b1", infer, 1, frames);
          break;
        case "metrics":
          r = b.metrics();
          break;
        case "conv-peak":
          ModelConfig paper = ModelConfig.paper(); // its hidden decoder convolution at batch 2: B*K images
          r = b.convolution("conv-peak", 2 * paper.slots(), paper.imageSize(), paper.decoder().filters(), paper.decoder().kernel());
          break;
        case "infer-b16":
          r = b.inference("infer-" + inferPreset + "-b16", infer, 16, frames);
          break;
        case "serve-b1":
          r = b.served("serve-b1", modelPath(), 1, frames);
          break;
        case "serve-b16":
          r = b.served("serve-b16", modelPath(), 16, frames);
          break;
        default:
          throw new IllegalArgumentException("unknown case '" + c + "'");
      }
      System.out.println(r.json());
      results.add(r);
    }
    System.out.printf("%n%-16s %12s %12s %12s %12s%n", "case", "median", "min", "unit", "build s");
    for (Benchmark.Case r : results) {
      var v = r.values();
      if (v.containsKey("median_us_ari_and_f_ari")) {
        System.out.printf("%-16s %12.1f %12.1f %12s%n", "ari 64x64", v.get("median_us_ari_and_f_ari"), v.get("min_us_ari_and_f_ari"), "us");
      } else if (v.containsKey("median_s_per_step")) {
        System.out.printf("%-16s %12.3f %12.3f %12s %12.2f   %.1f GFLOP/s in convolutions%n", r.name(), v.get("median_s_per_step"),
            v.get("min_s_per_step"), "s/step", v.get("graph_build_s"), v.get("conv_gflop_per_s"));
      } else if (!v.containsKey("step_median_ms_per_frame")) {
        System.out.printf("%-16s %12.2f %12.2f %12s %12.2f%n", r.name(), v.get("clip_median_ms_per_frame"), v.get("clip_min_ms_per_frame"), "ms/frame", v.get("graph_build_s"));
      } else {
        System.out.printf("%-16s %12.2f %12.2f %12s %12.2f%n", r.name(), v.get("clip_median_ms_per_frame"), v.get("clip_min_ms_per_frame"), "ms/frame", v.get("graph_build_s"));
        System.out.printf("%-16s %12.2f %12.2f %12s%n", r.name() + " step", v.get("step_median_ms_per_frame"), v.get("step_min_ms_per_frame"), "ms/frame");
      }
    }
    System.out.printf("peak resident memory %.0f MiB (%s, threads %d, xla %s, broadcast %s)%n", Benchmark.peakRssMib(), precision,
        threads, xla, materialize ? "materialised" : "BroadcastConv");
    return 0;
  }

  /**
   * The official code's paper-preset step and ours, alternating, in one sitting: rounds of
   * (reference, ours), then each one's median over the rounds and the ratio.
   */
  private int sideBySide(Benchmark b) throws Exception {
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
    }
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("provide.home", "."));
    double[] theirs = new double[rounds], ours = new double[rounds];
    String torch = "";
    for (int r = 1; r <= rounds; r++) {
      var t = dev.provide.train.bench.ReferenceStep.run(reference, home, cores, warmup, steps);
      torch = t.torch();
      theirs[r - 1] = t.medianSeconds();
      System.out.printf("round %d reference (PyTorch %s, %d threads): median %.3f s/step, min %.3f%n", r, torch, cores,
          t.medianSeconds(), t.minSeconds());
      Benchmark.Case c = b.training("train-paper", ModelConfig.paper(), 2, 4, 0);
      ours[r - 1] = ((Number) c.values().get("median_s_per_step")).doubleValue();
      System.out.printf("round %d ours (%s, %d threads%s): median %.3f s/step, min %.3f, %.1f GFLOP/s in convolutions%n", r,
          precision, cores, xla ? ", XLA" : "", c.values().get("median_s_per_step"), c.values().get("min_s_per_step"),
          c.values().get("conv_gflop_per_s"));
    }
    double ref = Benchmark.median(theirs), own = Benchmark.median(ours);
    System.out.printf("%nreference %.3f s/step, ours %.3f s/step (medians of %d rounds): ours is %.2fx the reference's speed%n",
        ref, own, rounds, ref / own);
    return 0;
  }

  /** --model as given, or under the project folder when it is relative and not found here. */
  private java.nio.file.Path modelPath() {
    if (!java.nio.file.Files.exists(model) && !model.isAbsolute()) {
      java.nio.file.Path home = java.nio.file.Path.of(System.getProperty("provide.home", ".")).resolve(model);
      if (java.nio.file.Files.exists(home)) {
        return home;
      }
    }
    return model;
  }
}
