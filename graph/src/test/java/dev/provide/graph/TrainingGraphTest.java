package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.Tensors;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class TrainingGraphTest {
  /** A tiny configuration that builds and runs in a second. */
  static ModelConfig tiny() {
    return dev.provide.graph.testing.TinyConfig.create();
  }

  static float[] video(int batch, int frames, int size, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[batch * frames * size * size * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() < 0.2f ? 1f : 0f;
    }
    return v;
  }

  @Test
  void oneTrainingStepLowersTheLossOnAFixedBatch() {
    ModelConfig c = tiny();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, 3, new TrainingGraph.Optimization(1e-2, 5));
      try (Session s = new Session(g);
          TFloat32 video = Tensors.floats(video(2, 3, 8, 1), 2, 3, 8, 8, 3);
          TInt64 seed = TInt64.vectorOf(5, 6)) {
        s.initialize();
        float before = loss(s, t, video, seed);
        for (int i = 0; i < 5; i++) {
          s.runner().feed(t.video, video).feed(t.seed, seed).addTarget(t.train).run().close();
        }
        float after = loss(s, t, video, seed);
        assertTrue(after < before, "loss did not fall: " + before + " -> " + after);
      }
    }
  }

  /**
   * Checkpoints written since the first release hold Adam's state under these names, so a change
   * of them (by a refactoring of the name scopes, say) would stop every earlier run from resuming.
   */
  @Test
  void theOptimizersVariablesKeepTheNamesEarlierCheckpointsHold() {
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, tiny(), 2, new TrainingGraph.Optimization(1e-3, 5));
      java.util.Set<String> expected = new java.util.TreeSet<>(List.of("optimizer_1/beta1_power", "optimizer_1/beta2_power", "optimizer_1/step"));
      for (int i = 0; i < t.variables.size(); i++) {
        String name = t.variables.get(i).op().name(); // model/<layer>/<name>
        assertTrue(name.startsWith("model/"), name);
        String slot = "optimizer_1/model" + (i == 0 ? "" : "_" + i) + name.substring("model".length());
        expected.add(slot + "/m");
        expected.add(slot + "/v");
      }
      java.util.Set<String> actual = new java.util.TreeSet<>();
      g.operations().forEachRemaining(op -> {
        if (op.type().equals("VariableV2") && op.name().startsWith("optimizer")) {
          actual.add(op.name());
        }
      });
      assertEquals(expected, actual);
    }
  }

  private static float loss(Session s, TrainingGraph t, TFloat32 video, TInt64 seed) {
    try (Result r = s.runner().feed(t.video, video).feed(t.seed, seed).fetch(t.loss).fetch(t.masks).run()) {
      float[] masks = Tensors.toFloats((TFloat32) r.get(1));
      assertArrayEquals(new long[] {2, 3, 3, 8, 8}, r.get(1).shape().asArray());
      // masks sum to one over slots
      for (int b = 0; b < 2 * 3; b++) {
        for (int p = 0; p < 64; p++) {
          double sum = 0;
          for (int k = 0; k < 3; k++) {
            sum += masks[(b * 3 + k) * 64 + p];
          }
          assertEquals(1.0, sum, 1e-5);
        }
      }
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Test
  void theMemoryEstimateGrowsWithTheBatchAndMatchesTheCalibration() {
    long paper = TrainingGraph.estimatedActivationBytes(ModelConfig.paper(), 2, 4);
    assertTrue(paper > 1.5e9 && paper < 4e9, "paper preset, batch 2, 4 frames (peak 2.7 GiB measured): " + paper);
    assertEquals(2 * paper, TrainingGraph.estimatedActivationBytes(ModelConfig.paper(), 4, 4), 2);
    assertTrue(TrainingGraph.estimatedActivationBytes(ModelConfig.cpu(), 100_000, 4) > 1e12);
  }
}
