package dev.provide.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoDecomposerTest {
  @TempDir static Path dir;
  static Checkpoints.Checkpoint checkpoint;
  static Path savedModel;

  @BeforeAll
  static void export() throws IOException {
    checkpoint = TinyModel.checkpoint(dir.resolve("model"));
    savedModel = SavedModelExporter.export(checkpoint, dir.resolve("serving").resolve("tiny"), 3, 5, 3);
  }

  private static void assertClose(float[] a, float[] b, String what) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-5, what + " entry " + i);
    }
  }

  @Test
  void checkpointAndSavedModelGiveTheSameDecompositionAndPrediction() throws IOException {
    float[] video = TinyModel.video(5, 1);
    try (VideoDecomposer a = VideoDecomposer.open(checkpoint.dir());
        VideoDecomposer b = VideoDecomposer.open(savedModel);
        VideoDecomposer base = VideoDecomposer.open(savedModel.getParent())) {
      assertTrue(b.source().startsWith("SavedModel"), b.source());
      assertTrue(base.source().endsWith("3"), "the base folder opens its highest version: " + base.source());
      Decomposition da = a.decompose(video, 5), db = b.decompose(video, 5);
      assertClose(da.masks(), db.masks(), "masks");
      assertClose(da.reconstruction(), db.reconstruction(), "reconstruction");
      assertClose(da.latents(), db.latents(), "latents");
      assertArrayEquals(da.segmentation(), db.segmentation());
      Decomposition pa = a.predict(video, 5, 3), pb = b.predict(video, 5, 3);
      assertEquals(3, pa.frames());
      assertClose(pa.reconstruction(), pb.reconstruction(), "predicted frames");
      assertClose(pa.masks(), pb.masks(), "predicted masks");
    }
  }

  @Test
  void theInferredRolloutPredictsAlikeFromACheckpointTheStreamSignaturesAndThePredictSignature() throws IOException {
    // MODEL.md 6c: the command line rolls out a frame at a time in Java, predict_step infers the
    // predicted frame at its frame_index in the graph, the predict signature unrolls it all.
    ModelConfig c = TinyModel.config();
    c = c.withTemporal(c.temporal().withInferredRollout(true));
    Checkpoints.Checkpoint inferred = TinyModel.checkpoint(dir.resolve("inferred"), c);
    Path served = SavedModelExporter.export(inferred, dir.resolve("serving").resolve("inferred"), 1, 5, 3);
    float[] video = TinyModel.video(5, 1);
    try (VideoDecomposer a = VideoDecomposer.open(inferred.dir());
        VideoDecomposer b = VideoDecomposer.open(served);
        VideoDecomposer paper = VideoDecomposer.open(checkpoint.dir())) {
      Decomposition pa = a.predict(video, 5, 3), pb = b.predict(video, 5, 3);
      assertClose(pa.reconstruction(), pb.reconstruction(), "predicted frames");
      assertClose(pa.masks(), pb.masks(), "predicted masks");
      float[] clipSignature = predictSignature(served, video, 5);
      assertClose(pa.reconstruction(), clipSignature, "the predict signature's frames");
      // The same weights with the paper's rollout: the first predicted frame alike, later ones not.
      Decomposition pp = paper.predict(video, 5, 3);
      int frame = 8 * 8 * 3;
      assertClose(java.util.Arrays.copyOf(pa.reconstruction(), frame), java.util.Arrays.copyOf(pp.reconstruction(), frame), "first predicted frame");
      double differ = 0;
      for (int i = frame; i < pa.reconstruction().length; i++) {
        differ = Math.max(differ, Math.abs(pa.reconstruction()[i] - pp.reconstruction()[i]));
      }
      assertTrue(differ > 1e-4, "the inferred rollout's later frames equal the paper's rollout's: " + differ);
    }
  }

  @Test
  void observeDrawsPredictAsThePredictCommandFromACheckpointTheStepDrawSignatureAndThePredictSignature() throws IOException {
    // MODEL.md 6f: the rollout starts from the state averaged over 3 inferences of the observed
    // frames. The command line's VideoInference.averagedState is the independent computation.
    float[] video = TinyModel.video(5, 2);
    int draws = 3;
    float[] expectedFrames, expectedMasks;
    try (dev.provide.graph.LoadedModel m = dev.provide.graph.LoadedModel.open(checkpoint.dir(), false, 0, 0)) {
      dev.provide.graph.VideoInference.State start = m.inference().averagedState(video, 1, 5, ServingGraph.SEED, 1f, draws);
      dev.provide.graph.VideoInference.Clip c = m.inference().predict(start, 3, ServingGraph.SEED, 0f);
      expectedFrames = c.reconstruction();
      expectedMasks = c.masks();
    }
    Path served = SavedModelExporter.export(checkpoint, dir.resolve("serving").resolve("draws"), 1, 5, 3, 0, draws);
    try (VideoDecomposer a = VideoDecomposer.open(checkpoint.dir()); VideoDecomposer b = VideoDecomposer.open(served)) {
      Decomposition pa = a.predict(video, 5, 3, draws), pb = b.predict(video, 5, 3, draws);
      assertClose(expectedFrames, pa.reconstruction(), "checkpoint: predicted frames");
      assertClose(expectedMasks, pa.masks(), "checkpoint: predicted masks");
      assertClose(expectedFrames, pb.reconstruction(), "SavedModel through step_draw: predicted frames");
      assertClose(expectedMasks, pb.masks(), "SavedModel through step_draw: predicted masks");
      assertClose(expectedFrames, predictSignature(served, video, 5), "the predict signature exported with 3 draws");
      // One draw is the paper's rollout from the decomposition's own state, and 3 differ from it.
      Decomposition one = a.predict(video, 5, 3, 1), plain = a.predict(video, 5, 3);
      assertClose(plain.reconstruction(), one.reconstruction(), "one draw");
      assertClose(plain.reconstruction(), b.predict(video, 5, 3, 1).reconstruction(), "one draw from the SavedModel");
      double differ = 0;
      for (int i = 0; i < pa.reconstruction().length; i++) {
        differ = Math.max(differ, Math.abs(pa.reconstruction()[i] - plain.reconstruction()[i]));
      }
      assertTrue(differ > 1e-4, "3 draws predict what 1 does: " + differ);
      // A clip of one frame has nothing to draw: the draws change nothing.
      float[] first = java.util.Arrays.copyOf(video, 8 * 8 * 3);
      assertClose(a.predict(first, 1, 2).reconstruction(), a.predict(first, 1, 2, draws).reconstruction(), "one observed frame");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.predict(video, 5, 3, 0));
      assertTrue(e.getMessage().contains("observeDraws must be >= 1"), e.getMessage());
    }
    // The default export's predict signature is the paper's rollout.
    try (VideoDecomposer a = VideoDecomposer.open(checkpoint.dir())) {
      assertClose(a.predict(video, 5, 3).reconstruction(), predictSignature(savedModel, video, 5), "the default predict signature");
    }
  }

  /** The {@code future_frames} of a SavedModel's {@code predict} signature for one video [F, 8, 8, 3]. */
  private static float[] predictSignature(Path served, float[] video, int frames) {
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(served.toString(), SavedModelExporter.TAG);
        org.tensorflow.types.TFloat32 v = dev.provide.ops.Tensors.floats(video, 1, frames, 8, 8, 3);
        org.tensorflow.Result r = b.function("predict").call(java.util.Map.of("video", v))) {
      return dev.provide.ops.Tensors.toFloats((org.tensorflow.types.TFloat32) r.get("future_frames").orElseThrow());
    }
  }

  @Test
  void streamEqualsWholeClipAndAccessorsIndexTheArrays() throws IOException {
    float[] video = TinyModel.video(4, 2);
    try (VideoDecomposer m = VideoDecomposer.open(checkpoint.dir())) {
      Decomposition whole = m.decompose(video, 4);
      VideoDecomposer.Stream s = m.stream();
      int p = 8 * 8 * 3;
      for (int t = 0; t < 4; t++) {
        Decomposition one = s.next(java.util.Arrays.copyOfRange(video, t * p, (t + 1) * p));
        assertEquals(whole.mask(t, 1, 3, 4), one.mask(0, 1, 3, 4));
        assertEquals(whole.segment(t, 5, 6), one.segment(0, 5, 6));
        assertArrayEquals(whole.latent(t, 2), one.latent(0, 2));
      }
      assertEquals(4, s.position());
      float sum = 0;
      for (int k = 0; k < 3; k++) {
        sum += whole.mask(2, k, 1, 1);
      }
      assertEquals(1f, sum, 1e-5);
    }
  }

  @Test
  void bytesFromClipsDecomposeLikeFloats() throws IOException {
    byte[] grey = new byte[2 * 8 * 8];
    float[] rgb = new float[2 * 8 * 8 * 3];
    for (int i = 0; i < grey.length; i++) {
      grey[i] = (byte) (i % 3 == 0 ? 255 : 0);
      for (int c = 0; c < 3; c++) {
        rgb[i * 3 + c] = (grey[i] & 0xff) / 255f;
      }
    }
    try (VideoDecomposer m = VideoDecomposer.open(checkpoint.dir())) {
      assertArrayEquals(m.decompose(rgb, 2).masks(), m.decompose(grey, 2, 1).masks());
    }
  }

  @Test
  void concurrentCallsAgreeWithSequentialOnes() throws Exception {
    float[] v1 = TinyModel.video(3, 5), v2 = TinyModel.video(3, 6);
    try (VideoDecomposer m = VideoDecomposer.open(savedModel)) {
      float[] r1 = m.decompose(v1, 3).masks(), r2 = m.decompose(v2, 3).masks();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          float[] v = i % 2 == 0 ? v1 : v2;
          futures.add(pool.submit(() -> m.decompose(v, 3).masks()));
        }
        for (int i = 0; i < 8; i++) {
          assertArrayEquals(i % 2 == 0 ? r1 : r2, futures.get(i).get());
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void servingSignaturesRejectWrongShapesAndTypesWithAnError() {
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(savedModel.toString(), "serve")) {
      // serving_default takes [batch, 5, 8, 8, 3]: 4 frames is the wrong size.
      try (org.tensorflow.types.TFloat32 wrongSize = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 4, 8, 8, 3))) {
        RuntimeException e = assertThrows(RuntimeException.class,
            () -> b.function("serving_default").call(java.util.Map.of("video", wrongSize)).close());
        assertTrue(e.getMessage().contains("video: must have shape [batch, 5, 8, 8, 3]"), e.getMessage());
      }
      try (org.tensorflow.types.TFloat32 wrongRank = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(5, 8, 8, 3))) {
        assertThrows(RuntimeException.class, () -> b.function("serving_default").call(java.util.Map.of("video", wrongRank)).close());
      }
      try (org.tensorflow.types.TInt32 wrongType = org.tensorflow.types.TInt32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 5, 8, 8, 3))) {
        assertThrows(RuntimeException.class, () -> b.function("serving_default").call(java.util.Map.of("video", wrongType)).close());
      }
      // Values: one NaN, an infinity or a value outside [0, 1] fail with a message naming the input.
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.5f, 1.5f}) {
        float[] v = TinyModel.video(5, 3);
        v[17] = bad;
        try (org.tensorflow.types.TFloat32 t = org.tensorflow.types.TFloat32.tensorOf(
            org.tensorflow.ndarray.Shape.of(1, 5, 8, 8, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false))) {
          RuntimeException e = assertThrows(RuntimeException.class,
              () -> b.function("serving_default").call(java.util.Map.of("video", t)).close());
          assertTrue(e.getMessage().contains("video: every value must be a finite number in [0, 1]"), bad + ": " + e.getMessage());
        }
      }
      try (org.tensorflow.types.TFloat32 f = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 8, 8, 3),
              org.tensorflow.ndarray.buffer.DataBuffers.of(new float[8 * 8 * 3], true, false));
          org.tensorflow.types.TInt64 index = org.tensorflow.types.TInt64.scalarOf(-5);
          org.tensorflow.types.TFloat32 h = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 3, hiddenSize()));
          org.tensorflow.types.TFloat32 c = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 3, hiddenSize()));
          org.tensorflow.types.TFloat32 lam = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 3, 2L * latentSize()))) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> b.function("step").call(java.util.Map.of(
            "frame", f, "frame_index", index, "state_h", h, "state_c", c, "state_lambda", lam)).close());
        assertTrue(e.getMessage().contains("frame_index: the position of the frame in its video must be >= 0"), e.getMessage());
        try (org.tensorflow.types.TInt64 zero = org.tensorflow.types.TInt64.scalarOf(0);
            org.tensorflow.types.TInt64 negative = org.tensorflow.types.TInt64.scalarOf(-1)) {
          RuntimeException d = assertThrows(RuntimeException.class, () -> b.function("step_draw").call(java.util.Map.of(
              "frame", f, "frame_index", zero, "draw", negative, "state_h", h, "state_c", c, "state_lambda", lam)).close());
          assertTrue(d.getMessage().contains("draw: the index of the draw must be >= 0"), d.getMessage());
        }
      }
      // The JVM and the model are still fine afterwards.
      try (org.tensorflow.types.TFloat32 ok = org.tensorflow.types.TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 5, 8, 8, 3),
              org.tensorflow.ndarray.buffer.DataBuffers.of(TinyModel.video(5, 4), true, false));
          org.tensorflow.Result r = b.function("serving_default").call(java.util.Map.of("video", ok))) {
        assertEquals(1 * 5 * 3 * 8 * 8, r.get("masks").orElseThrow().shape().size());
      }
    }
  }

  @Test
  void badInputIsAClearError() throws IOException {
    try (VideoDecomposer m = VideoDecomposer.open(savedModel)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.decompose(new float[10], 1));
      assertTrue(e.getMessage().contains("8x8"), e.getMessage());
      float[] v = TinyModel.video(1, 1);
      v[5] = 2f;
      assertThrows(IllegalArgumentException.class, () -> m.decompose(v, 1));
      assertThrows(IllegalArgumentException.class, () -> m.predict(TinyModel.video(1, 1), 1, 0));
      assertThrows(IllegalArgumentException.class, () -> m.decompose((float[]) null, 1));
      assertThrows(IllegalArgumentException.class, () -> m.decompose((byte[]) null, 1, 3));
      IllegalArgumentException huge =
          assertThrows(IllegalArgumentException.class, () -> m.predict(TinyModel.video(1, 1), 1, 50_000_000));
      assertTrue(huge.getMessage().contains("50000000 frames of output need"), huge.getMessage());
    }
    assertThrows(IOException.class, () -> VideoDecomposer.open(dir.resolve("nothing-here")));
    assertThrows(IllegalArgumentException.class,
        () -> SavedModelExporter.export(checkpoint, dir.resolve("serving").resolve("tiny"), 3, 5, 3));
    IllegalArgumentException draws = assertThrows(IllegalArgumentException.class,
        () -> SavedModelExporter.export(checkpoint, dir.resolve("rejected"), 1, 10, 10, 0, 100));
    assertTrue(draws.getMessage().contains("the draws' frames") && draws.getMessage().contains("10 + 10 + 700"), draws.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SavedModelExporter.export(checkpoint, dir.resolve("rejected"), 1, 5, 3, 0, 0));
    assertTrue(!java.nio.file.Files.exists(dir.resolve("rejected")), "a rejected export left a folder");
    for (int[] frames : new int[][] {{0, 3}, {100_000, 1}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SavedModelExporter.export(checkpoint, dir.resolve("rejected"), 1, frames[0], frames[1]));
      assertTrue(e.getMessage().contains("frames"), e.getMessage());
      assertTrue(!java.nio.file.Files.exists(dir.resolve("rejected")), "a rejected export left a folder");
    }
  }

  @Test
  void aModelExportedWithMoreSlotsMatchesTheCheckpointRunWithThem() throws IOException {
    int trained = checkpoint.config().slots(), more = trained + 2;
    Path saved = SavedModelExporter.export(checkpoint, dir.resolve("serving").resolve("more-slots"), 1, 5, 3, more);
    float[] video = TinyModel.video(5, 3);
    try (VideoDecomposer a = VideoDecomposer.open(checkpoint.dir(), more); VideoDecomposer b = VideoDecomposer.open(saved)) {
      assertEquals(more, a.config().slots());
      assertEquals(more, b.config().slots(), "the exported config.json is the one the SavedModel runs");
      Decomposition da = a.decompose(video, 5), db = b.decompose(video, 5);
      assertEquals(5 * more * 8 * 8, da.masks().length);
      assertClose(da.masks(), db.masks(), "masks");
      assertClose(da.reconstruction(), db.reconstruction(), "reconstruction");
      assertArrayEquals(da.segmentation(), db.segmentation());
    }
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> VideoDecomposer.open(saved, trained));
    assertTrue(other.getMessage().contains("exported with " + more + " slots"), other.getMessage());
    assertThrows(IllegalArgumentException.class, () -> VideoDecomposer.open(checkpoint.dir(), -1));
    assertThrows(IllegalArgumentException.class,
        () -> SavedModelExporter.export(checkpoint, dir.resolve("serving").resolve("bad-slots"), 1, 5, 3, 1));
  }

  private int hiddenSize() {
    try {
      return checkpoint.config().lstmSize();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int latentSize() {
    try {
      return checkpoint.config().latentSize();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
