package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Two towers on two CPU devices of one session: where their gradient ops run, and their
 * checkpoints against one device's. (That towers train as one device on the union of their rows,
 * and stay identical, is tested through the trainer: TrainerTest and DistributedTrainingTest.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingTowersTest {
  private static final int FRAMES = 3, SIZE = 8;
  private static final Towers TWO = new Towers(2, DeviceSpec.DeviceType.CPU);
  private static final ConfigProto TWO_CPUS = ConfigProto.newBuilder().putDeviceCount("CPU", 2).build();
  private static final TrainingGraph.Optimization ADAM = new TrainingGraph.Optimization(1e-2, 5);
  private final ModelConfig c = TrainingGraphTest.tiny();
  // Built once (building is most of the time): one device, and two towers on two CPU devices.
  private Graph oneGraph, towersGraph;
  private TrainingGraph one;
  private TrainingTowers towers;

  @BeforeAll
  void build() {
    oneGraph = new Graph();
    one = TrainingGraph.build(oneGraph, c, FRAMES, ADAM);
    towersGraph = new Graph();
    towers = TrainingTowers.build(towersGraph, c, FRAMES, ADAM, TrainingGraph.Rollout.NONE, Replication.NONE, TWO);
  }

  @AfterAll
  void close() {
    oneGraph.close();
    towersGraph.close();
  }

  @Test
  void aTowersGradientOpsRunOnItsOwnDevice() {
    {
      try (Session s = new Session(towersGraph, TWO_CPUS)) {
        s.initialize();
        Session.Runner run = s.runner().setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        List<AutoCloseable> open = new ArrayList<>();
        for (TrainingGraph t : towers.all()) {
          TFloat32 v = Tensors.floats(TrainingGraphTest.video(2, FRAMES, SIZE, 1), 2, FRAMES, SIZE, SIZE, 3);
          TInt64 seed = TInt64.vectorOf(1, 2);
          open.add(v);
          open.add(seed);
          run.feed(t.video, v).feed(t.seed, seed).addTarget(t.train);
        }
        int onOwn = 0;
        List<String> elsewhere = new ArrayList<>();
        try (Result r = run.runAndFetchMetadata()) {
          for (var device : r.getMetadata().get().getStepStats().getDevStatsList()) {
            for (var node : device.getNodeStatsList()) {
              String n = node.getNodeName();
              if (n.startsWith("tower1/") && n.contains("gradients") && !n.contains("/_")) { // "/_": send/receive
                if (device.getDevice().endsWith("CPU:1")) {
                  onOwn++;
                } else {
                  elsewhere.add(n + " on " + device.getDevice());
                }
              }
            }
          }
        }
        open.forEach(TrainingTowersTest::close);
        assertTrue(onOwn > 100, "tower 1's gradient ops that ran on its device: " + onOwn);
        assertTrue(elsewhere.isEmpty(), "tower 1's gradient ops elsewhere: " + elsewhere.subList(0, Math.min(5, elsewhere.size())));
      }
    }
  }

  @Test
  void checkpointsHoldTowerZeroUnderTheNamesOfOneDevice(@TempDir Path dir) throws Exception {
    Provenance p = new Provenance("d.tfrecord", "v", 7, 0, 0, "abc", "2.18.0", 4, 2, 1e-2, 0, "now", List.of());
    Checkpoints.Checkpoint saved;
    List<float[]> towerValues;
    {
      try (Session s = new Session(towersGraph, TWO_CPUS)) {
        s.initialize();
        synchronize(s, towers);
        towerValues = values(s, towers.first().state);
        saved = Checkpoints.save(s, dir, 1, c, p, 3);
      }
    }
    // A one-device graph restores it: the same names, the same values (the Adam state too).
    {
      TrainingGraph t = one;
      try (Session s = new Session(oneGraph)) {
        saved.restoreInto(s);
        List<float[]> restored = values(s, t.state);
        assertEquals(towerValues.size(), restored.size());
        for (int i = 0; i < restored.size(); i++) {
          assertArrayEquals(towerValues.get(i), restored.get(i), t.state.get(i).op().name());
        }
        // and its own checkpoint restores into towers
        Checkpoints.save(s, dir.resolve("one"), 2, c, p, 3);
      }
    }
    {
      try (Session s = new Session(towersGraph, TWO_CPUS)) {
        Checkpoints.latest(dir.resolve("one")).orElseThrow().restoreInto(s);
        List<float[]> restored = values(s, towers.first().state);
        for (int i = 0; i < restored.size(); i++) {
          assertArrayEquals(towerValues.get(i), restored.get(i));
        }
      }
    }
  }

  @Test
  void badTowerSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Towers(0, DeviceSpec.DeviceType.CPU));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TWO.checkBatch(3));
    assertTrue(e.getMessage().contains("--devices 2"), e.getMessage());
    TWO.checkBatch(4);
    Replication r = new Replication(3, 1, 10, "/job:worker/replica:0/task:1/device:CPU:0").tower(1, TWO);
    assertEquals(6, r.replicas());
    assertEquals(3, r.index());
    assertEquals("/job:worker/replica:0/task:1/device:CPU:1", r.device());
    assertFalse(Replication.NONE.tower(0, Towers.ONE).active());
  }

  private static void synchronize(Session s, TrainingTowers towers) {
    Session.Runner run = s.runner();
    try (TInt64 settings = TInt64.scalarOf(42)) {
      for (TrainingGraph t : towers.all()) {
        run.feed(t.settings, settings).addTarget(t.synchronize);
      }
      run.run().close();
    }
  }

  private static List<float[]> values(Session s, List<? extends org.tensorflow.Output<?>> variables) {
    List<float[]> out = new ArrayList<>();
    for (var v : variables) {
      try (Result r = s.runner().fetch(v).run()) {
        if (r.get(0) instanceof TFloat32 f) {
          out.add(Tensors.toFloats(f));
        } else {
          out.add(new float[] {((TInt64) r.get(0)).getLong()});
        }
      }
    }
    return out;
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
