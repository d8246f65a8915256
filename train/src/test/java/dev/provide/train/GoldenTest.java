package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.export.Decomposition;
import dev.provide.export.SavedModelExporter;
import dev.provide.export.VideoDecomposer;
import dev.provide.graph.Checkpoints;
import dev.provide.graph.LoadedModel;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped model's outputs on the golden inputs, through the checkpoint, the SavedModel and the
 * VideoDecomposer paths, against testdata/golden (regenerate: ./provide golden). Tolerances: 2e-3
 * absolute on masks, reconstructions and predicted frames (float rounding differs between CPU
 * kernels), 99% of segmentation pixels equal, 0.02 on ARI and F-ARI.
 */
class GoldenTest {
  static final Path MODEL = Path.of("..", "testdata", "model");
  static final Path GOLDEN = Path.of("..", "testdata", "golden");
  static final double TOLERANCE = 2e-3;
  static Golden.Expected expected;
  static List<ClipRecord> inputs;

  @BeforeAll
  static void read() throws Exception {
    expected = Golden.read(GOLDEN);
    inputs = ClipFiles.read(GOLDEN.resolve("input.tfrecord"), 100);
  }

  @Test
  void goldenInputsAreStillWhatTheGeneratorMakes() throws Exception {
    List<ClipRecord> again = Golden.inputs(inputs.get(0).height());
    assertEquals(again, inputs);
  }

  @Test
  void checkpointPath() throws Exception {
    try (LoadedModel m = LoadedModel.open(MODEL, false, 0)) {
      Golden.Expected e = Golden.compute(m, inputs);
      assertClose(expected.masks(), e.masks(), "masks");
      assertClose(expected.reconstruction(), e.reconstruction(), "reconstruction");
      assertClose(expected.future(), e.future(), "predicted frames");
      assertMostlyEqual(expected.segmentation(), e.segmentation());
      assertEquals(expected.ari(), e.ari(), 0.02);
      assertEquals(expected.foregroundAri(), e.foregroundAri(), 0.02);
      assertEquals(expected.mse(), e.mse(), 1e-4);
    }
  }

  @Test
  void savedModelAndVideoDecomposerPaths(@TempDir Path dir) throws Exception {
    Path saved = SavedModelExporter.export(Checkpoints.resolve(MODEL), dir.resolve("provide"), 1, Golden.FRAMES, Golden.FUTURE);
    for (Path source : List.of(saved, MODEL)) {
      try (VideoDecomposer v = VideoDecomposer.open(source)) {
        int k = v.config().slots(), s = v.config().imageSize(), p = s * s, f = Golden.FRAMES;
        for (int b = 0; b < inputs.size(); b++) {
          float[] frames = ClipBatches.sequences(inputs, b, 1, f).frames();
          Decomposition d = v.decompose(frames, f);
          assertClose(slice(expected.masks(), b, f * k * p), d.masks(), source + " masks");
          assertClose(slice(expected.reconstruction(), b, f * p * 3), d.reconstruction(), source + " reconstruction");
          Decomposition future = v.predict(frames, f, Golden.FUTURE);
          assertClose(slice(expected.future(), b, Golden.FUTURE * p * 3), future.reconstruction(), source + " predicted frames");
        }
      }
    }
  }

  private static float[] slice(float[] v, int b, int per) {
    return java.util.Arrays.copyOfRange(v, b * per, (b + 1) * per);
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= TOLERANCE, what + ": largest difference " + worst + " > " + TOLERANCE);
  }

  private static void assertMostlyEqual(int[] expected, int[] actual) {
    assertEquals(expected.length, actual.length);
    int same = 0;
    for (int i = 0; i < expected.length; i++) {
      same += expected[i] == actual[i] ? 1 : 0;
    }
    assertTrue(same >= 0.99 * expected.length, "only " + same + " of " + expected.length + " segmentation pixels agree");
  }
}
