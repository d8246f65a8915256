package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.LoadedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/**
 * Seeded mutation fuzzing of checkpoints: a checkpoint whose variable index or data file is damaged
 * (bytes flipped, cut short, grown) either restores the very weights it was saved with or fails
 * with an IOException that has a one-line message, never another exception or a crash of the JVM
 * in TensorFlow's reader.
 */
class CheckpointFuzzTest {
  private static final int CASES = 100;

  @TempDir Path dir;

  @Test
  void damagedCheckpointsRestoreExactlyOrFailWithOneLine() throws Exception {
    // The shipped model, and the same model as initialised (other weights) to restore in between.
    Checkpoints.Checkpoint good = Checkpoints.resolve(GoldenTest.MODEL);
    Checkpoints.Checkpoint other;
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      dev.provide.graph.InferenceGraph.build(g, good.config());
      try (org.tensorflow.Session s = new org.tensorflow.Session(g)) {
        s.initialize();
        other = Checkpoints.save(s, dir.resolve("initial"), 0, good.config(), Fixtures.provenance(), 1);
      }
    }
    Path mutant = dir.resolve("mutant");
    copy(good.dir(), mutant);
    String[] files = {"model.index", "model.data-00000-of-00001"};
    byte[][] originals = {Files.readAllBytes(good.dir().resolve(files[0])), Files.readAllBytes(good.dir().resolve(files[1]))};
    try (LoadedModel model = LoadedModel.open(good.dir(), false, 1)) {
      float[] saved = weights(model);
      other.restoreInto(model.session());
      assertTrue(!java.util.Arrays.equals(saved, weights(model)), "the two checkpoints hold different weights");
      Checkpoints.Checkpoint target = Checkpoints.resolve(mutant);
      other.restoreInto(model.session());
      target.restoreInto(model.session()); // the undamaged copy restores
      assertArrayEquals(saved, weights(model));
      Random rnd = new Random(41);
      int restored = 0, refused = 0;
      for (int i = 0; i < CASES; i++) {
        int which = i % 2;
        for (int f = 0; f < 2; f++) {
          Files.write(mutant.resolve(files[f]), f == which ? dev.provide.train.data.ReaderFuzzTestAccess.mutate(originals[f], rnd) : originals[f]);
        }
        other.restoreInto(model.session()); // so that a restore that does nothing cannot pass for one that worked
        try {
          target.restoreInto(model.session());
          assertArrayEquals(saved, weights(model), "case " + i + ": a damaged " + files[which] + " restored other weights");
          restored++;
        } catch (IOException e) {
          assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && e.getMessage().lines().count() == 1,
              "case " + i + ": " + e.getMessage());
          refused++;
        } catch (Exception e) {
          fail("case " + i + " (" + files[which] + "): " + e, e);
        }
      }
      assertEquals(CASES, restored + refused);
      System.out.printf("checkpoint fuzzing: %d restored exactly, %d refused%n", restored, refused);
      assertTrue(refused > CASES / 2, "most damaged checkpoints are refused (their checksums): " + refused);
    }
  }

  /** Every variable's values, one after another. */
  private static float[] weights(LoadedModel model) {
    java.util.List<String> names = new java.util.ArrayList<>();
    model.graph().operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        names.add(op.name());
      }
    });
    org.tensorflow.Session.Runner runner = model.session().runner();
    names.forEach(runner::fetch);
    java.util.List<Float> values = new java.util.ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        for (float v : dev.provide.ops.Tensors.toFloats((TFloat32) r.get(i))) {
          values.add(v);
        }
      }
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()));
      }
    }
  }
}
