package dev.provide.train;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.Provenance;
import dev.provide.graph.TrainingGraph;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.Tensors;
import dev.provide.train.data.ClipBatches;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

class TrainerTest {
  @TempDir Path dir;

  @Test
  void trainsCheckpointsKeepsTheNewestAndWritesEvents() throws Exception {
    Path run = dir.resolve("run");
    Trainer.Result r = Fixtures.trainer(run, 7, 1e-3).run(false);
    assertEquals(Trainer.Outcome.FINISHED, r.outcome());
    assertEquals(7, r.step());
    // a run that ends below the plateau threshold says so, with the steps it took
    String[] lastFAri = Files.readAllLines(run.resolve("metrics.csv")).stream()
        .filter(l -> l.contains("validation/f_ari")).reduce((a, b) -> b).orElseThrow().split(",");
    boolean onPlateau = Double.parseDouble(lastFAri[3]) < Trainer.PLATEAU_F_ARI;
    assertEquals(onPlateau, r.message().contains("start plateau"), lastFAri[3] + ": " + r.message());
    assertTrue(Trainer.plateauNote(7, 0.01).contains("after 7 steps"));
    List<Checkpoints.Checkpoint> all = Checkpoints.list(run);
    // every 2 steps and at the end, keep 2: steps 6 and 7
    assertEquals(List.of(6L, 7L), all.stream().map(Checkpoints.Checkpoint::step).toList());
    assertEquals(Fixtures.tinyConfig().withSeed(Fixtures.tinyConfig().seed()), all.get(1).config());
    assertEquals(7, all.get(1).provenance().step());
    assertEquals(List.of("--lr", "1e-3"), all.get(1).provenance().flags(), "the flags travel with every checkpoint");
    assertTrue(Files.readString(run.resolve("metrics.csv")).contains("validation/f_ari"));
    try (var files = Files.list(run)) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")));
    }
    try (var files = Files.list(run.resolve(Checkpoints.FOLDER))) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no partial checkpoint folders left");
    }
  }

  @Test
  void learningRateDecaysOverTheEndOfTheRunAndReachesTheWeights() throws Exception {
    LearningRateDecay decay = new LearningRateDecay(0.5, 0.1);
    Path decayed = dir.resolve("decayed");
    Path constant = dir.resolve("constant");
    Fixtures.trainer(decayed, Fixtures.options(8, 1e-3, decay)).run(false);
    Fixtures.trainer(constant, Fixtures.options(8, 1e-3)).run(false);
    Map<Long, Double> rates = metric(decayed, "learning_rate");
    for (long step = 1; step <= 8; step++) {
      // the step logged as n was taken at step n - 1 of 8
      assertEquals(1e-3 * decay.factor((step - 1) / 8.0), rates.get(step), 1e-9, "learning rate at step " + step);
    }
    Map<Long, Double> lossDecayed = metric(decayed, "loss");
    Map<Long, Double> lossConstant = metric(constant, "loss");
    // the same weights and batches until the decay starts, different once it has changed an update
    for (long step = 1; step <= 5; step++) {
      assertEquals(lossConstant.get(step), lossDecayed.get(step), 0.0, "loss at step " + step);
    }
    assertNotEquals(lossConstant.get(8L), lossDecayed.get(8L));
  }

  private static Map<Long, Double> metric(Path run, String tag) throws Exception {
    Map<Long, Double> out = new TreeMap<>();
    for (String line : Files.readAllLines(run.resolve("metrics.csv"))) {
      String[] f = line.split(",");
      if (f.length == 4 && f[2].equals(tag)) {
        out.put(Long.parseLong(f[0]), Double.parseDouble(f[3]));
      }
    }
    return out;
  }

  @Test
  void aPredictionTermIsTrainedAndLogged() throws Exception {
    Path run = dir.resolve("rollout");
    Trainer.Options o = new Trainer.Options(2, 3, 4, 0, new TrainingGraph.Optimization(1e-3, 5), 0, 0, 1, 1000, 2, 2, 3,
        false, 0, 0, false, LearningRateDecay.NONE, new TrainingGraph.Rollout(2, 1));
    assertEquals(5, o.windowFrames());
    Trainer.Result r = Fixtures.trainer(run, o).run(false);
    assertEquals(4, r.step());
    Map<Long, Double> nll = metric(run, "prediction_nll");
    assertEquals(List.of(1L, 2L, 3L, 4L), List.copyOf(nll.keySet()));
    nll.values().forEach(v -> assertTrue(Double.isFinite(v) && v > 0, "prediction NLL " + v));
    assertTrue(metric(dir.resolve("rollout"), "loss").get(1L) > 0);
    assertEquals(Map.of(), metric(trainedWithout(), "prediction_nll"), "no prediction term, nothing logged");
  }

  private Path trainedWithout() throws Exception {
    Path run = dir.resolve("no-rollout");
    Fixtures.trainer(run, 2, 1e-3).run(false);
    return run;
  }

  @Test
  void validationScoresEveryHeldOutSequenceInBatchesOf16() {
    var clips = Fixtures.balls(33, 5, 9);
    var batches = Trainer.validationBatches(clips, 3);
    assertEquals(List.of(16, 16, 1), batches.stream().map(b -> b.batchSize()).toList());
    assertArrayEquals(ClipBatches.sequences(clips, 32, 1, 3).frames(), batches.get(2).frames(), "the last batch is the 33rd sequence");
    assertEquals(List.of(), Trainer.validationBatches(List.of(), 3));
  }

  @Test
  void theMinutesBudgetCountsTheTimeOfTheResumedRuns() throws Exception {
    Path run = dir.resolve("budget");
    Fixtures.trainer(run, 2, 1e-3).run(false);
    // pretend the first part trained for an hour
    Path prov = Checkpoints.latest(run).orElseThrow().dir().resolve("provenance.json");
    Provenance.read(prov).at(2, 3600).write(prov);
    Trainer.Options halfAnHour = new Trainer.Options(2, 3, 4, 30, new TrainingGraph.Optimization(1e-3, 5), 0, 0, 1,
        1000, 2, 2, 3, false, 0, 0, false, LearningRateDecay.NONE);
    Trainer.Result r = Fixtures.trainer(run, halfAnHour).run(true);
    assertEquals(Trainer.Outcome.TIME_LIMIT, r.outcome(), "a 30-minute budget is spent by the hour already trained");
    assertEquals(2, r.step());
    assertEquals(List.of(2L), Checkpoints.list(run).stream().map(Checkpoints.Checkpoint::step).toList());

    Trainer.Options twoHours = new Trainer.Options(2, 3, 4, 120, new TrainingGraph.Optimization(1e-3, 5), 0, 0, 1,
        1000, 2, 2, 3, false, 0, 0, false, LearningRateDecay.NONE);
    Trainer.Result more = Fixtures.trainer(run, twoHours).run(true);
    assertEquals(Trainer.Outcome.FINISHED, more.outcome(), "a larger budget goes on");
    assertEquals(4, more.step());
  }

  @Test
  void resumeContinuesTheStepCountAndOptimizerStateExactly() throws Exception {
    // 4 steps straight vs 2 steps, then resume for 2 more: the same weights.
    Path straight = dir.resolve("straight"), split = dir.resolve("split");
    Fixtures.trainer(straight, 4, 1e-3).run(false);
    Fixtures.trainer(split, 2, 1e-3).run(false);
    Trainer.Result resumed = Fixtures.trainer(split, 4, 1e-3).run(true);
    assertEquals(4, resumed.step());
    assertArrayEquals(weights(Checkpoints.latest(straight).orElseThrow()), weights(Checkpoints.latest(split).orElseThrow()));
  }

  @Test
  void twoTowersTrainAsOneDeviceAndTheirCheckpointResumesOnOne() throws Exception {
    // Batch 2 on two CPU devices (one row each) against one device: the same weights within 1e-5,
    // and the towers' checkpoint resumes on one device (it holds tower 0 under one-device names).
    Path one = dir.resolve("one"), two = dir.resolve("two");
    Fixtures.trainer(one, 3, 1e-3).run(false);
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    Trainer.Result r = Fixtures.trainer(two, Fixtures.options(3, 1e-3).withDevices(2), new java.io.PrintStream(log, true)).run(false);
    assertEquals(3, r.step(), log.toString());
    assertTrue(log.toString().contains("2 CPU devices in step"), log.toString());
    assertTrue(log.toString().contains("its 2 towers identical"), log.toString());
    float[] a = weights(Checkpoints.latest(one).orElseThrow()), b = weights(Checkpoints.latest(two).orElseThrow());
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    assertTrue(worst < 1e-5, "largest difference " + worst);
    assertTrue(Fixtures.trainer(two, 4, 1e-3).run(true).step() == 4, "resumed on one device");
  }

  @Test
  void resumeFallsBackToTheNewestCheckpointThatReads() throws Exception {
    Path run = dir.resolve("damaged");
    Fixtures.trainer(run, 7, 1e-3).run(false);
    List<Checkpoints.Checkpoint> all = Checkpoints.list(run);
    assertEquals(List.of(6L, 7L), all.stream().map(Checkpoints.Checkpoint::step).toList());
    // Truncate the newest checkpoint's variables, as a full disk or a crash of the file system would.
    try (var files = Files.list(all.get(1).dir())) {
      Path data = files.filter(p -> p.getFileName().toString().startsWith("model.data")).findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(data);
      Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 3));
    }
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    Trainer.Result r = Fixtures.trainer(run, 9, 1e-3, new java.io.PrintStream(log, true)).run(true);
    String text = log.toString();
    assertTrue(text.contains("checkpoint " + all.get(1).dir() + " cannot be read"), text);
    assertTrue(text.contains("resumed from " + all.get(0).dir() + " at step 6"), text);
    assertEquals(9, r.step());
  }

  @Test
  void aNewRunStartsFromAModelFoldersWeightsWithAFreshOptimiser() throws Exception {
    // A model folder holds the weights only (as shipped): --resume cannot continue it, a new run starts from it.
    Path source = dir.resolve("source"), tuned = dir.resolve("tuned"), fresh = dir.resolve("fresh");
    Fixtures.trainer(source, 3, 1e-3).run(false);
    Checkpoints.Checkpoint model = Checkpoints.slim(Checkpoints.latest(source).orElseThrow(), dir.resolve("model"));
    float[] start = weights(model);
    // a rate so small that two Adam steps (each moves a weight by about the rate) leave the weights as loaded
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    Trainer.Result r = Fixtures.trainer(tuned, Fixtures.options(2, 1e-12), new java.io.PrintStream(log, true))
        .startingFrom(model).run(false);
    assertEquals(2, r.step(), "the step starts afresh");
    assertTrue(log.toString().contains("starting from the weights of " + model.dir()), log.toString());
    assertArrayEquals(start, weights(Checkpoints.latest(tuned).orElseThrow()), 1e-6f);
    // the control: the same run without them starts elsewhere
    Fixtures.trainer(fresh, Fixtures.options(2, 1e-12)).run(false);
    float[] other = weights(Checkpoints.latest(fresh).orElseThrow());
    double apart = 0;
    for (int i = 0; i < start.length; i++) {
      apart = Math.max(apart, Math.abs(start[i] - other[i]));
    }
    assertTrue(apart > 1e-3, "fresh weights differ from the trained ones by " + apart);

    // resuming a run whose checkpoint is a model folder says what to do instead
    Path slimRun = dir.resolve("slim-run");
    Checkpoints.slim(model, slimRun.resolve(Checkpoints.FOLDER).resolve("step-00000003"));
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> Fixtures.trainer(slimRun, 4, 1e-3).run(true));
    assertTrue(e.getMessage().contains("--init-from"), e.getMessage());

    // a model of another configuration (the shipped 32 x 32 one) is refused, naming it
    Checkpoints.Checkpoint shipped = Checkpoints.resolve(GoldenTest.MODEL);
    java.io.IOException misfit = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> Fixtures.trainer(dir.resolve("misfit"), 2, 1e-3).startingFrom(shipped).run(false));
    assertTrue(misfit.getMessage().contains("do not fit this model"), misfit.getMessage());
  }

  /** All model weights of a checkpoint, concatenated in graph order. */
  private static float[] weights(Checkpoints.Checkpoint c) throws Exception {
    try (Graph g = new Graph()) {
      dev.provide.graph.TrainingGraph t = dev.provide.graph.TrainingGraph.build(g, c.config(), 3, null);
      try (Session s = new Session(g)) {
        s.restore(c.prefix());
        Session.Runner r = s.runner();
        t.variables.forEach(r::fetch);
        try (Result res = r.run()) {
          java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
          float[] all = new float[0];
          for (int i = 0; i < t.variables.size(); i++) {
            float[] v = Tensors.toFloats((TFloat32) res.get(i));
            float[] next = java.util.Arrays.copyOf(all, all.length + v.length);
            System.arraycopy(v, 0, next, all.length, v.length);
            all = next;
          }
          return all;
        }
      }
    }
  }

  @Test
  void nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path run = dir.resolve("nan");
    Fixtures.trainer(run, 2, 1e-3).run(false);
    // An absurd learning rate blows the weights up within a step or two.
    Trainer.Result r = Fixtures.trainer(run, 50, 1e25).run(true);
    assertEquals(Trainer.Outcome.NOT_FINITE, r.outcome());
    assertTrue(r.message().contains("step"), r.message());
    assertNotNull(r.lastCheckpoint());
    assertEquals(2, Checkpoints.latest(run).orElseThrow().step(), "no checkpoint of the broken weights");
  }

  @Test
  void progressTotalFollowsTheMinutesBudget() {
    // 100 steps in 10 s of loop, 20 s of a 1-minute budget spent: 40 s left at 10 steps/s.
    assertEquals(100 + 400, Trainer.expectedLastStep(100, 0, 10, 20, 1, 100_000));
    // resumed at step 50: only the steps of this run count for the speed
    assertEquals(100 + 200, Trainer.expectedLastStep(100, 50, 10, 20, 1, 100_000));
    assertEquals(300, Trainer.expectedLastStep(100, 0, 10, 20, 1, 300), "never past the step limit");
    assertEquals(100, Trainer.expectedLastStep(100, 0, 10, 90, 1, 100_000), "budget spent: stops now");
    assertEquals(100_000, Trainer.expectedLastStep(100, 0, 10, 20, 0, 100_000), "no budget: the step limit");
    assertEquals(Trainer.UNKNOWN_LAST_STEP, Trainer.expectedLastStep(100, 100, 0, 20, 1, 100_000),
        "a budget and no speed yet: no total (not the step limit, which the bar would show as 100/100000)");
  }
}
