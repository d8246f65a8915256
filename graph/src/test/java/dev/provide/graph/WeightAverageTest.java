package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

class WeightAverageTest {
  private static final Provenance PROVENANCE =
      new Provenance("d.tfrecord", "v", 7, 0, 0, "abc", "2.18.0", 4, 2, 1e-2, 0, "now", List.of());

  @TempDir Path dir;

  @Test
  void theAveragedModelHoldsTheMeanOfEveryWeight() throws Exception {
    ModelConfig c = TrainingGraphTest.tiny();
    // three differently initialised models of one configuration stand in for three checkpoints
    List<Checkpoints.Checkpoint> sources = new ArrayList<>();
    List<List<float[]>> values = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      sources.add(saved(c.withSeed(seed), seed, values));
    }
    Checkpoints.Checkpoint mean = Checkpoints.slim(sources, dir.resolve("mean"));
    List<float[]> got = restored(c, mean);

    assertEquals(values.get(0).size(), got.size());
    boolean anyDiffer = false;
    for (int v = 0; v < got.size(); v++) {
      float[] expected = new float[got.get(v).length];
      for (int i = 0; i < expected.length; i++) {
        double sum = 0; // the mean computed here, in double, from the three models' own values
        for (List<float[]> model : values) {
          sum += model.get(v)[i];
        }
        expected[i] = (float) (sum / values.size());
        anyDiffer |= values.get(0).get(v)[i] != values.get(1).get(v)[i];
      }
      assertArrayEquals(expected, got.get(v), 1e-6f, "variable " + v);
    }
    assertTrue(anyDiffer, "the three models must differ for the mean to be tested");
    assertEquals(3, mean.step(), "the last source's step");
    Provenance p = mean.provenance();
    assertEquals(3, p.averagedFrom().size());
    assertTrue(p.averagedFrom().get(0).contains(sources.get(0).dir().toString()), p.averagedFrom().get(0));
  }

  @Test
  void oneSourceIsCopiedAsItIsWithNoAveragingInItsProvenance() throws Exception {
    ModelConfig c = TrainingGraphTest.tiny();
    List<List<float[]>> values = new ArrayList<>();
    Checkpoints.Checkpoint only = saved(c, 5, values);
    Checkpoints.Checkpoint slim = Checkpoints.slim(List.of(only), dir.resolve("slim"));
    List<float[]> got = restored(c, slim);
    for (int v = 0; v < got.size(); v++) {
      assertArrayEquals(values.get(0).get(v), got.get(v));
    }
    assertTrue(slim.provenance().averagedFrom().isEmpty());
  }

  @Test
  void modelsOfAnotherConfigurationAreRefusedByName() throws Exception {
    ModelConfig c = TrainingGraphTest.tiny();
    List<List<float[]>> values = new ArrayList<>();
    Checkpoints.Checkpoint a = saved(c, 1, values);
    Checkpoints.Checkpoint b = saved(c.withSlots(c.slots() + 1), 2, values);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoints.slim(List.of(a, b), dir.resolve("never")));
    assertTrue(e.getMessage().contains(a.dir().toString()) && e.getMessage().contains("differ"), e.getMessage());
    assertFalse(java.nio.file.Files.exists(dir.resolve("never")));
  }

  /** Initialises a model of {@code c}, saves it as run {@code step}'s checkpoint, and adds its weights to {@code values}. */
  private Checkpoints.Checkpoint saved(ModelConfig c, int step, List<List<float[]>> values) throws Exception {
    try (Graph g = new Graph()) {
      InferenceGraph.build(g, c);
      try (Session s = new Session(g)) {
        s.initialize();
        Checkpoints.Checkpoint saved = Checkpoints.save(s, dir.resolve("run-" + step), step, c, PROVENANCE.at(step, 0), 3);
        values.add(read(g, s));
        return saved;
      }
    }
  }

  private static List<float[]> restored(ModelConfig c, Checkpoints.Checkpoint from) throws Exception {
    try (Graph g = new Graph()) {
      InferenceGraph.build(g, c);
      try (Session s = new Session(g)) {
        from.restoreInto(s);
        return read(g, s);
      }
    }
  }

  private static List<float[]> read(Graph g, Session s) {
    List<float[]> out = new ArrayList<>();
    for (Output<TFloat32> v : TrainingGraph.ownVariables(g, Set.of(), TFloat32.class)) {
      try (Result r = s.runner().fetch(v.op().name()).run()) {
        out.add(dev.provide.ops.Tensors.toFloats((TFloat32) r.get(0)));
      }
    }
    return out;
  }
}
