package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import dev.provide.ops.Tensors;
import dev.provide.train.Trainer;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Training as a cluster of worker processes on loopback: the workers stay identical, equal one
 * process on the union of their batches, and stop with a clear error when one of them dies.
 */
class DistributedTrainingTest {
  private static final int SEQUENCES = 12, HELD_OUT = 2, BATCH = 2, FRAMES = 3, STEPS = 5;
  private static final long SEED = 5;

  @TempDir Path dir;

  /** With 1 device per worker, and with 2 CPU devices (towers) each: 4 replicas of one row. */
  @ParameterizedTest(name = "{0} device(s) per worker")
  @ValueSource(ints = {1, 2})
  void twoWorkersEndBitwiseIdenticalAndEqualOneProcessTrainingOnTheUnionOfTheirBatches(int devices) throws Exception {
    Path data = clips();
    Path run = dir.resolve("run");
    Path log = dir.resolve("cluster.txt");
    Process p = start(List.of("train", "--data", data.toString(), "--val-count", String.valueOf(HELD_OUT), "--run", run.toString(),
        "--steps", String.valueOf(STEPS), "--batch", String.valueOf(BATCH), "--frames", String.valueOf(FRAMES),
        "--kl-warmup", "0", "--seed", String.valueOf(SEED), "--local-workers", "2", "--collective-timeout", "120",
        "--devices", String.valueOf(devices)), log);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the cluster did not finish");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);

    Matcher m = Pattern.compile("worker (\\d): weights fingerprint ([0-9a-f]{16}) at step (\\d+)").matcher(out);
    Map<String, String> prints = new LinkedHashMap<>();
    while (m.find()) {
      assertEquals(String.valueOf(STEPS), m.group(3), out);
      prints.put(m.group(1), m.group(2));
    }
    assertEquals(2, prints.size(), out);
    assertEquals(prints.get("0"), prints.get("1"), "the workers' weights differ\n" + out);
    if (devices > 1) {
      assertEquals(2, out.split("its 2 towers identical", -1).length - 1, "each worker's towers identical\n" + out);
    }

    // One process, one replica, the two workers' batches concatenated in worker order.
    List<ClipRecord> train = ClipFiles.read(data, SEQUENCES).subList(0, SEQUENCES - HELD_OUT);
    List<ClipBatches> shards = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      List<ClipRecord> shard = new ArrayList<>();
      for (int i = w; i < train.size(); i += 2) {
        shard.add(train.get(i));
      }
      shards.add(new ClipBatches(shard, FRAMES, BATCH, Trainer.batchSeed(SEED, w)));
    }
    Checkpoints.Checkpoint chief = Checkpoints.latest(run).orElseThrow();
    assertEquals(STEPS, chief.step());
    ModelConfig config = chief.config();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, config, FRAMES, new TrainingGraph.Optimization(5e-4, 5));
      try (Session s = new Session(g)) {
        s.initialize();
        for (int step = 0; step < STEPS; step++) {
          ClipBatches.Batch a = shards.get(0).next(), b = shards.get(1).next();
          float[] union = new float[a.frames().length + b.frames().length];
          System.arraycopy(a.frames(), 0, union, 0, a.frames().length);
          System.arraycopy(b.frames(), 0, union, a.frames().length, b.frames().length);
          long[] shape = a.frameShape().clone();
          shape[0] = 2L * BATCH;
          try (TFloat32 video = Tensors.floats(union, shape);
              TInt64 seed = TInt64.vectorOf(SEED, step)) {
            s.runner().feed(t.video, video).feed(t.seed, seed).addTarget(t.train).run();
          }
        }
        Map<String, float[]> together = values(s, t.variables);
        chief.restoreInto(s);
        Map<String, float[]> distributed = values(s, t.variables);
        double worst = 0;
        String where = "";
        for (var e : together.entrySet()) {
          float[] x = e.getValue(), y = distributed.get(e.getKey());
          for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]);
            if (d > worst) {
              worst = d;
              where = e.getKey() + "[" + i + "]";
            }
          }
        }
        assertTrue(worst <= 1e-5, "largest difference " + worst + " at " + where);
        assertTrue(together.values().stream().anyMatch(v -> v.length > 0));
      }
    }
  }

  @Test
  void whenAWorkerDiesTheChiefStopsWithinAMinuteNamingItAndTheClusterResumesFromItsCheckpoint() throws Exception {
    Path run = dir.resolve("run");
    TwoWorkers pair = twoWorkers(clips(), run, 2, 30);
    List<String> chiefArgs = pair.chief(), otherArgs = pair.other();
    Path chiefLog = dir.resolve("chief.txt");
    Process chiefProcess = start(chiefArgs, chiefLog);
    Process other = start(otherArgs, dir.resolve("other.txt"));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (Checkpoints.latest(run).map(Checkpoints.Checkpoint::step).orElse(0L) < 2) {
        assertTrue(chiefProcess.isAlive() && other.isAlive(), "training ended early:\n" + Files.readString(chiefLog));
        assertTrue(System.nanoTime() < deadline, "no checkpoint within 240 s:\n" + Files.readString(chiefLog));
        Thread.sleep(200);
      }
      other.destroyForcibly(); // SIGKILL
      long killed = System.nanoTime();
      assertTrue(chiefProcess.waitFor(60, TimeUnit.SECONDS), "the chief still runs 60 s after worker 1 died");
      double seconds = (System.nanoTime() - killed) / 1e9;
      String out = Files.readString(chiefLog);
      assertEquals(TrainCommand.WORKER_LOST, chiefProcess.exitValue(), out);
      assertTrue(out.contains("worker 1 (" + pair.otherAddress() + ") does not answer"), out);
      assertTrue(out.contains("--resume"), out);
      assertTrue(seconds < 60, "stopped after " + seconds + " s");
    } finally {
      chiefProcess.destroyForcibly();
      other.destroyForcibly();
    }
    Checkpoints.Checkpoint newest = Checkpoints.latest(run).orElseThrow();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, newest.config(), FRAMES, new TrainingGraph.Optimization(5e-4, 5));
      try (Session s = new Session(g)) {
        newest.restoreInto(s);
        try (Result r = s.runner().fetch(t.step).run()) {
          assertEquals(newest.step(), ((TInt64) r.get(0)).getLong());
        }
      }
    }

    // Both workers again with --resume: they go on from the chief's checkpoint, in step.
    long target = newest.step() + 2;
    List<String> again0 = withSteps(chiefArgs, target), again1 = withSteps(otherArgs, target);
    again0.add("--resume");
    again1.add("--resume");
    Path log0 = dir.resolve("resumed0.txt"), log1 = dir.resolve("resumed1.txt");
    Process p0 = start(again0, log0), p1 = start(again1, log1);
    try {
      assertTrue(p0.waitFor(240, TimeUnit.SECONDS) && p1.waitFor(60, TimeUnit.SECONDS), "the resumed cluster did not finish");
      assertEquals(0, p0.exitValue(), Files.readString(log0));
      assertEquals(0, p1.exitValue(), Files.readString(log1));
    } finally {
      p0.destroyForcibly();
      p1.destroyForcibly();
    }
    assertEquals(target, Checkpoints.latest(run).orElseThrow().step());
    String out0 = Files.readString(log0), out1 = Files.readString(log1);
    assertTrue(out1.contains("joined the cluster at step " + newest.step()), out1);
    assertEquals(fingerprint(out0, 0, target), fingerprint(out1, 1, target), out0 + out1);
  }

  @Test
  void aSignalToOneWorkerStopsEveryWorkerAfterTheSameStepAndTheChiefSaves() throws Exception {
    Path run = dir.resolve("run");
    TwoWorkers pair = twoWorkers(clips(), run, 3, 60);
    List<String> a = pair.chief(), b = pair.other();
    Path log0 = dir.resolve("w0.txt"), log1 = dir.resolve("w1.txt");
    Process p0 = start(a, log0), p1 = start(b, log1);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (Checkpoints.latest(run).map(Checkpoints.Checkpoint::step).orElse(0L) < 3) {
        assertTrue(p0.isAlive() && p1.isAlive(), "training ended early:\n" + Files.readString(log0));
        assertTrue(System.nanoTime() < deadline, "no checkpoint within 240 s");
        Thread.sleep(200);
      }
      p1.destroy(); // SIGTERM to worker 1
      assertTrue(p1.waitFor(60, TimeUnit.SECONDS) && p0.waitFor(60, TimeUnit.SECONDS), "the workers did not stop");
    } finally {
      p0.destroyForcibly();
      p1.destroyForcibly();
    }
    String out0 = Files.readString(log0), out1 = Files.readString(log1);
    assertEquals(0, p0.exitValue(), out0);
    assertTrue(p1.exitValue() == 130 || p1.exitValue() == 143, "worker 1's exit status after SIGTERM: " + p1.exitValue() + "\n" + out1);
    assertTrue(out0.contains("Stopped with the cluster"), out0);
    long step = Checkpoints.latest(run).orElseThrow().step();
    assertTrue(out1.contains("worker 1 interrupted at step " + step), out1);
    assertEquals(fingerprint(out0, 0, step), fingerprint(out1, 1, step), out0 + out1);
  }

  @Test
  void aChiefWhosePeerNeverComesUpGivesUpAfterTheTimeoutNamingIt() throws Exception {
    Path data = clips();
    List<Integer> ports = freePorts();
    String missing = "localhost:" + ports.get(1);
    Path log = dir.resolve("alone.txt");
    Process p = start(List.of("train", "--data", data.toString(), "--val-count", String.valueOf(HELD_OUT), "--run",
        dir.resolve("alone").toString(), "--steps", "3", "--batch", String.valueOf(BATCH), "--frames", String.valueOf(FRAMES),
        "--threads", "1", "--collective-timeout", "10", "--workers", "localhost:" + ports.get(0) + "," + missing, "--task-index", "0"), log);
    try {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the chief still waits");
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertEquals(TrainCommand.WORKER_LOST, p.exitValue(), out);
    assertTrue(out.contains("could not start with the other workers: worker 1 (" + missing + ") does not answer"), out);
  }

  /** The command lines of a chief and a second worker, and the second's address. */
  private record TwoWorkers(List<String> chief, List<String> other, String otherAddress) {}

  /** Two workers on free loopback ports that train until stopped, one thread each. */
  private static TwoWorkers twoWorkers(Path data, Path run, int checkpointEvery, int timeoutSeconds) throws java.io.IOException {
    List<String> workers = new ArrayList<>();
    for (int port : freePorts()) {
      workers.add("localhost:" + port);
    }
    List<String> common = List.of("train", "--data", data.toString(), "--val-count", String.valueOf(HELD_OUT), "--run", run.toString(),
        "--steps", "100000", "--batch", String.valueOf(BATCH), "--frames", String.valueOf(FRAMES), "--checkpoint-every",
        String.valueOf(checkpointEvery), "--validate-every", "1000", "--threads", "1", "--collective-timeout",
        String.valueOf(timeoutSeconds), "--workers", String.join(",", workers));
    List<String> chief = new ArrayList<>(common), other = new ArrayList<>(common);
    chief.addAll(List.of("--task-index", "0"));
    other.addAll(List.of("--task-index", "1"));
    return new TwoWorkers(chief, other, workers.get(1));
  }

  /** The arguments with --steps set to {@code steps}. */
  private static List<String> withSteps(List<String> args, long steps) {
    List<String> out = new ArrayList<>(args);
    out.set(out.indexOf("--steps") + 1, String.valueOf(steps));
    return out;
  }

  /** The weights fingerprint that {@code worker} printed at {@code step}. */
  private static String fingerprint(String log, int worker, long step) {
    Matcher m = Pattern.compile("worker " + worker + ": weights fingerprint ([0-9a-f]{16}) at step " + step).matcher(log);
    assertTrue(m.find(), "no fingerprint of worker " + worker + " at step " + step + ":\n" + log);
    return m.group(1);
  }

  @Test
  void badClusterDescriptionsGetOneLineErrors() throws Exception {
    Path data = clips();
    assertOneLineError(List.of("--workers", "localhost:1,localhost:2", "--task-index", "2"), "task index 2 is out of range", data);
    assertOneLineError(List.of("--workers", "localhost:1,localhost", "--task-index", "0"), "is not host:port", data);
    assertOneLineError(List.of("--workers", "localhost:1,localhost:1", "--task-index", "0"), "appears twice", data);
    assertOneLineError(List.of("--workers", "localhost:1,localhost:2"), "--workers needs --task-index", data);
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();
      int free = freePorts().get(0);
      assertOneLineError(List.of("--workers", "localhost:" + port + ",localhost:" + free, "--task-index", "0"),
          "cannot listen on port " + port, data);
    }
  }

  private void assertOneLineError(List<String> cluster, String expected, Path data) {
    List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--val-count", String.valueOf(HELD_OUT),
        "--run", dir.resolve("bad").toString(), "--steps", "1", "--batch", "1", "--frames", "2"));
    args.addAll(cluster);
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = ProvideCommand.commandLine();
    cl.setErr(new java.io.PrintWriter(err, true));
    int status = cl.execute(args.toArray(String[]::new));
    String message = err.toString().strip();
    assertEquals(UserErrors.BAD_INPUT, status, message);
    assertTrue(message.contains(expected), message);
    assertEquals(1, message.lines().count(), message);
    assertTrue(!Files.exists(dir.resolve("bad").resolve("config.json")), "a rejected command wrote the run folder");
  }

  private Path clips() {
    Path data = dir.resolve("d.tfrecord");
    if (!Files.exists(data)) {
      assertEquals(0, ProvideCommand.commandLine().execute("data", "generate", "--frames", "5", "--size", "16",
          "--count", String.valueOf(SEQUENCES), "--seed", "3", "--out", data.toString()));
    }
    return data;
  }

  private static Map<String, float[]> values(Session s, List<Output<TFloat32>> variables) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Output<TFloat32> v : variables) {
      try (Result r = s.runner().fetch(v).run()) {
        out.put(v.op().name(), Tensors.toFloats((TFloat32) r.get(0)));
      }
    }
    return out;
  }

  private static List<Integer> freePorts() throws java.io.IOException {
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      return List.of(a.getLocalPort(), b.getLocalPort());
    }
  }

  private static Process start(List<String> args, Path log) throws java.io.IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ProvideCommand.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("TF_CONFIG");
    return pb.start();
  }
}
