package dev.provide.train.bench;

import dev.provide.graph.Devices;
import dev.provide.graph.InferenceGraph;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import dev.provide.graph.VideoInference;
import dev.provide.ops.Conv2d;
import dev.provide.ops.ConvolutionFlops;
import dev.provide.ops.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Times training steps and inference on this machine: medians and minima of several timed runs
 * after warm-up, graph build and session start-up times, peak resident memory, and the ops that
 * cost most in one traced step (from TensorFlow's RunMetadata step stats).
 */
public final class Benchmark {
  /**
   * Settings.
   *
   * @param warmup untimed runs before timing (the first includes Grappler's optimisation)
   * @param runs timed runs
   */
  public record Settings(int warmup, int runs, int threads, int interThreads, boolean bfloat16, boolean xla) {
    /** Validates. */
    public Settings {
      if (warmup < 0 || runs < 1) {
        throw new IllegalArgumentException("warm-up must be >= 0 and runs >= 1");
      }
    }

    ConfigProto session() {
      return Devices.sessionConfig(false, threads, interThreads, bfloat16, xla);
    }
  }

  /** One measured case, printed as a JSON object. */
  public record Case(String name, Map<String, Object> values) {
    /** As one line of JSON. */
    public String json() {
      StringBuilder b = new StringBuilder("{\"case\": \"").append(name).append('"');
      values.forEach((k, v) -> {
        b.append(", \"").append(k).append("\": ");
        if (v instanceof Number n) {
          b.append(n instanceof Double d ? String.format("%.6g", d) : n.toString());
        } else {
          b.append('"').append(String.valueOf(v).replace("\"", "'")).append('"');
        }
      });
      return b.append('}').toString();
    }
  }

  private final Settings settings;

  public Benchmark(Settings settings) {
    this.settings = settings;
  }

  /** Training steps of {@code c} at {@code batch} clips of {@code frames} frames. */
  public Case training(String name, ModelConfig c, int batch, int frames, int topOps) {
    long t0 = System.nanoTime();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, frames, TrainingGraph.Optimization.defaults());
      double build = seconds(t0);
      float[] video = noise(batch * frames * c.imageSize() * c.imageSize() * 3, 1);
      try (Session s = new Session(g, settings.session());
          TFloat32 x = Tensors.floats(video, batch, frames, c.imageSize(), c.imageSize(), 3)) {
        long i0 = System.nanoTime();
        s.initialize();
        double init = seconds(i0);
        double[] times = new double[settings.warmup() + settings.runs()];
        for (int i = 0; i < times.length; i++) {
          long r0 = System.nanoTime();
          try (TInt64 seed = TInt64.vectorOf(1, i);
              Result r = s.runner().feed(t.video, x).feed(t.seed, seed).addTarget(t.train).fetch(t.loss).run()) {
            times[i] = seconds(r0);
          }
        }
        double[] timed = Arrays.copyOfRange(times, settings.warmup(), times.length);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("preset_image", c.imageSize());
        v.put("batch", batch);
        v.put("frames", frames);
        v.put("median_s_per_step", median(timed));
        v.put("min_s_per_step", min(timed));
        v.put("steps_per_s", 1 / median(timed));
        v.put("frames_per_s", batch * frames / median(timed));
        v.put("graph_build_s", build);
        v.put("session_init_s", init);
        v.put("first_step_s", times[0]);
        v.put("graph_ops", countOps(g));
        ConvolutionFlops.Count conv = ConvolutionFlops.of(Set.of((GraphOperation) t.train.op()), (long) batch * c.slots());
        v.put("conv_gflop_per_step", conv.total() / 1e9);
        v.put("conv_gflop_per_s", conv.total() / 1e9 / median(timed));
        if (topOps > 0) {
          v.putAll(traced(g, s, t, x, topOps));
        }
        v.put("peak_rss_mib", peakRssMib());
        return new Case(name, v);
      }
    }
  }

  /**
   * One convolution alone, forward and both gradients (with respect to its input and its filter),
   * as a training step runs each of its convolutions: what this machine's kernels reach on that
   * shape, in GFLOP/s, to set a training step's rate beside.
   *
   * @param n images, [n, size, size, channels] in and out, a {@code kernel} x {@code kernel} filter
   */
  public Case convolution(String name, int n, int size, int channels, int kernel) {
    long t0 = System.nanoTime();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.variable(tf.random.statelessRandomNormal(tf.constant(new long[] {n, size, size, channels}),
          tf.constant(new long[] {1, 2}), TFloat32.class)); // [N, H, W, C]
      Conv2d conv = Conv2d.create(tf, "conv", kernel, channels, channels, 1, dev.provide.ops.Activation.NONE, 1);
      Operand<TFloat32> y = conv.apply(tf, x); // [N, H, W, C]
      Operand<TFloat32> loss = tf.sum(tf.math.square(y), tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput(), conv.kernel().asOutput()});
      Set<GraphOperation> targets = new HashSet<>();
      for (Output<?> o : grads) {
        targets.add((GraphOperation) o.op());
      }
      ConvolutionFlops.Count count = ConvolutionFlops.of(targets, n);
      double build = seconds(t0);
      try (Session s = new Session(g, settings.session())) {
        s.initialize();
        double[] times = new double[settings.warmup() + settings.runs()];
        for (int i = 0; i < times.length; i++) {
          long r0 = System.nanoTime();
          Session.Runner runner = s.runner();
          for (Output<?> o : grads) {
            runner.fetch(o);
          }
          try (Result r = runner.run()) {
            times[i] = seconds(r0);
          }
        }
        double[] timed = Arrays.copyOfRange(times, settings.warmup(), times.length);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("shape", n + "x" + size + "x" + size + "x" + channels + " k" + kernel);
        v.put("median_s_per_step", median(timed));
        v.put("min_s_per_step", min(timed));
        v.put("conv_gflop_per_step", count.total() / 1e9);
        v.put("conv_gflop_per_s", count.total() / 1e9 / median(timed));
        v.put("graph_build_s", build);
        return new Case(name, v);
      }
    }
  }

  /** Frame-by-frame inference of {@code frames}-frame clips at {@code batch}, whole clips or the online step path. */
  public Case inference(String name, ModelConfig c, int batch, int frames) {
    long t0 = System.nanoTime();
    try (Graph g = new Graph()) {
      InferenceGraph ig = InferenceGraph.build(g, c);
      double build = seconds(t0);
      int p = c.imageSize() * c.imageSize() * 3;
      float[] video = noise(batch * frames * p, 2);
      try (Session s = new Session(g, settings.session())) {
        long i0 = System.nanoTime();
        s.initialize();
        double init = seconds(i0);
        VideoInference vi = new VideoInference(s, ig);
        double[] clip = new double[settings.warmup() + settings.runs()];
        for (int i = 0; i < clip.length; i++) {
          long r0 = System.nanoTime();
          vi.decompose(video, batch, frames, 1, 1f);
          clip[i] = seconds(r0);
        }
        // The online path: one steady-state frame (the schedule's floor) at a time.
        VideoInference.State state = vi.initialState(batch);
        float[] frame = Arrays.copyOf(video, batch * p);
        for (int i = 0; i < c.refinementSteps(); i++) {
          state = vi.step(state, frame, 1, 1f).next();
        }
        double[] step = new double[settings.warmup() + settings.runs()];
        for (int i = 0; i < step.length; i++) {
          long r0 = System.nanoTime();
          state = vi.step(state, frame, 1, 1f).next();
          step[i] = seconds(r0);
        }
        double[] timedClip = Arrays.copyOfRange(clip, settings.warmup(), clip.length);
        double[] timedStep = Arrays.copyOfRange(step, settings.warmup(), step.length);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("preset_image", c.imageSize());
        v.put("batch", batch);
        v.put("frames", frames);
        v.put("clip_median_ms_per_frame", 1000 * median(timedClip) / frames);
        v.put("clip_median_ms_per_video_frame", 1000 * median(timedClip) / (frames * batch));
        v.put("clip_min_ms_per_frame", 1000 * min(timedClip) / frames);
        v.put("step_median_ms_per_frame", 1000 * median(timedStep));
        v.put("step_min_ms_per_frame", 1000 * min(timedStep));
        v.put("graph_build_s", build);
        v.put("session_init_s", init);
        v.put("peak_rss_mib", peakRssMib());
        return new Case(name, v);
      }
    }
  }

  /**
   * Whole clips through a SavedModel, as a JVM application or TF Serving runs them: the
   * checkpoint exported (F = {@code frames}) to a temporary folder, loaded with
   * {@code SavedModelBundle}, and its {@code serving_default} signature called on a batch.
   */
  public Case served(String name, java.nio.file.Path checkpoint, int batch, int frames) throws java.io.IOException {
    java.nio.file.Path base = java.nio.file.Files.createTempDirectory("provide-bench-savedmodel");
    try {
      dev.provide.graph.Checkpoints.Checkpoint cp = dev.provide.graph.Checkpoints.resolve(checkpoint);
      ModelConfig c = cp.config();
      long t0 = System.nanoTime();
      java.nio.file.Path dir = dev.provide.export.SavedModelExporter.export(cp, base, 1, frames, 1);
      double export = seconds(t0);
      long l0 = System.nanoTime();
      try (org.tensorflow.SavedModelBundle bundle =
          org.tensorflow.SavedModelBundle.load(dir.toString(), dev.provide.export.SavedModelExporter.TAG)) {
        double load = seconds(l0);
        org.tensorflow.SessionFunction serve = bundle.function("serving_default");
        int size = c.imageSize();
        double[] clip = new double[settings.warmup() + settings.runs()];
        try (TFloat32 video = Tensors.floats(noise(batch * frames * size * size * 3, 3), batch, frames, size, size, 3)) {
          for (int i = 0; i < clip.length; i++) {
            long r0 = System.nanoTime();
            try (org.tensorflow.Result r = serve.call(Map.of("video", video))) {
              r.get("masks").orElseThrow();
            }
            clip[i] = seconds(r0);
          }
        }
        double[] timed = Arrays.copyOfRange(clip, settings.warmup(), clip.length);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("preset_image", size);
        v.put("batch", batch);
        v.put("frames", frames);
        v.put("clip_median_ms_per_frame", 1000 * median(timed) / frames);
        v.put("clip_median_ms_per_video_frame", 1000 * median(timed) / (frames * batch));
        v.put("clip_min_ms_per_frame", 1000 * min(timed) / frames);
        v.put("video_frames_per_s", frames * batch / median(timed));
        v.put("export_s", export);
        v.put("load_s", load);
        v.put("graph_build_s", export);
        v.put("peak_rss_mib", peakRssMib());
        return new Case(name, v);
      }
    } finally {
      dev.provide.ops.PartialFiles.deleteTree(base);
    }
  }

  /** ARI and F-ARI of one 64 x 64 frame with 10 ground-truth and 10 predicted clusters. */
  public Case metrics() {
    Random rnd = new Random(3);
    int[] truth = new int[64 * 64], predicted = new int[64 * 64];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = rnd.nextInt(10);
      predicted[i] = rnd.nextBoolean() ? truth[i] : rnd.nextInt(10);
    }
    int repeats = 2000;
    double[] times = new double[repeats];
    double sink = 0;
    for (int i = 0; i < repeats; i++) {
      long t0 = System.nanoTime();
      sink += dev.provide.train.metrics.Ari.ari(truth, predicted) + dev.provide.train.metrics.Ari.foregroundAri(truth, predicted);
      times[i] = (System.nanoTime() - t0) / 1e3;
    }
    double[] timed = Arrays.copyOfRange(times, repeats / 2, repeats); // after JIT warm-up
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("pixels", truth.length);
    v.put("clusters", 10);
    v.put("median_us_ari_and_f_ari", median(timed));
    v.put("min_us_ari_and_f_ari", min(timed));
    v.put("checksum", sink);
    return new Case("metrics-ari-64x64", v);
  }

  /**
   * One traced training step: its most expensive op types ({@code top_ops}) and op types with
   * their output shapes ({@code top_op_shapes}), see {@link #summariseOps}, and its totals, see
   * {@link #traceTotals}.
   */
  private static Map<String, Object> traced(Graph g, Session s, TrainingGraph t, TFloat32 x, int n) {
    RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    RunMetadata meta;
    try (TInt64 seed = TInt64.vectorOf(9, 9);
        Result r = s.runner().feed(t.video, x).feed(t.seed, seed).addTarget(t.train).fetch(t.loss).setOptions(trace).runAndFetchMetadata()) {
      meta = r.getMetadata().orElse(null);
    }
    Map<String, Object> v = new LinkedHashMap<>();
    if (meta == null) {
      v.put("top_ops", "no step stats");
      return v;
    }
    StepStats stats = meta.getStepStats();
    v.put("top_ops", summariseOps(stats, node -> opType(g, node), n));
    v.put("top_op_shapes", summariseOps(stats, node -> opType(g, node) + " " + outputShapes(node), n));
    v.put("op_time_by_part", summariseOps(stats, node -> partOf(node.getNodeName()), 4));
    TraceTotals totals = traceTotals(stats);
    v.put("traced_ops", totals.ops());
    v.put("traced_op_ms", totals.opMillis());
    v.put("traced_step_ms", totals.spanMillis());
    return v;
  }

  /**
   * What a traced step kept busy.
   *
   * @param ops nodes run
   * @param opMillis their summed op time
   * @param spanMillis from the first op's start to the last op's end: op time above it means ops
   *     ran side by side; threads x span less the op time is time between ops (dispatch, waiting)
   */
  record TraceTotals(long ops, double opMillis, double spanMillis) {}

  /** The totals of a step's stats over all devices. */
  static TraceTotals traceTotals(StepStats stats) {
    long ops = 0, opMicros = 0, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
    for (var dev : stats.getDevStatsList()) {
      for (NodeExecStats node : dev.getNodeStatsList()) {
        ops++;
        opMicros += node.getOpEndRelMicros() - node.getOpStartRelMicros();
        first = Math.min(first, node.getAllStartMicros() + node.getOpStartRelMicros());
        last = Math.max(last, node.getAllStartMicros() + node.getOpEndRelMicros());
      }
    }
    return new TraceTotals(ops, opMicros / 1e3, ops == 0 ? 0 : (last - first) / 1e3);
  }

  /**
   * Which part of a training step a node belongs to, from its name: "in-graph gradient" (the
   * gradients of each refinement step's loss that feed the refinement network, made under a
   * frame's scope: {@code frame3/gradients_1/...}), "outer gradient" (the training loss's
   * gradient with respect to the weights: {@code gradients/...}, {@code tower0/gradients/...}),
   * "update" (clipping and Adam, under {@code optimizer/}) or "forward" (everything else).
   */
  static String partOf(String nodeName) {
    String[] segments = nodeName.split("/");
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].matches("gradients(_\\d+)?")) {
        return i > 0 && segments[i - 1].startsWith("frame") ? "in-graph gradient" : "outer gradient";
      }
    }
    for (String segment : segments) {
      if (segment.equals("optimizer")) {
        return "update";
      }
    }
    return "forward";
  }

  /** A node's output shapes as "20x32x32x32" (several joined by ","; -1 for an unknown size). */
  static String outputShapes(NodeExecStats node) {
    List<String> shapes = new ArrayList<>();
    for (var out : node.getOutputList()) {
      List<String> dims = new ArrayList<>();
      for (var d : out.getTensorDescription().getShape().getDimList()) {
        dims.add(Long.toString(d.getSize()));
      }
      shapes.add(dims.isEmpty() ? "scalar" : String.join("x", dims));
    }
    return String.join(",", shapes);
  }

  /**
   * The {@code n} op types of a step's stats with the most op time, most first, each as
   * "Type S% (N calls, M ms each)" and joined by ", ": S the type's share of the summed op time of
   * all nodes, N its number of nodes, M their mean time.
   */
  static String summariseOps(StepStats stats, Function<NodeExecStats, String> typeOf, int n) {
    Map<String, Long> byType = new HashMap<>();
    Map<String, Integer> calls = new HashMap<>();
    long total = 0;
    for (var dev : stats.getDevStatsList()) {
      for (NodeExecStats node : dev.getNodeStatsList()) {
        String type = typeOf.apply(node);
        long micros = node.getOpEndRelMicros() - node.getOpStartRelMicros();
        byType.merge(type, micros, Long::sum);
        calls.merge(type, 1, Integer::sum);
        total += micros;
      }
    }
    long all = Math.max(1, total);
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(byType.entrySet());
    sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(n, sorted.size()); i++) {
      String type = sorted.get(i).getKey();
      long micros = sorted.get(i).getValue();
      int count = calls.get(type);
      b.append(i == 0 ? "" : ", ").append(type).append(' ')
          .append(String.format(Locale.ROOT, "%.1f%% (%d calls, %.1f ms each)", 100.0 * micros / all, count, micros / 1e3 / count));
    }
    return b.toString();
  }

  private static String opType(Graph g, NodeExecStats node) {
    String label = node.getTimelineLabel(); // "name = Type(inputs)"
    int eq = label.indexOf(" = "), paren = label.indexOf('(', Math.max(0, eq));
    if (eq >= 0 && paren > eq) {
      return label.substring(eq + 3, paren);
    }
    var op = g.operation(node.getNodeName());
    return op == null ? node.getNodeName() : op.type();
  }

  private static int countOps(Graph g) {
    int[] n = {0};
    g.operations().forEachRemaining(o -> n[0]++);
    return n[0];
  }

  private static float[] noise(int n, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = rnd.nextFloat() < 0.1f ? 1f : 0f;
    }
    return v;
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /** The median of {@code v}. */
  public static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  /** Peak resident set size of this process (Linux VmHWM), in MiB; -1 where unknown. */
  public static double peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
