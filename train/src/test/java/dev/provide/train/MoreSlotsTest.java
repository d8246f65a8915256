package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.LoadedModel;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped model run with more slots than it was trained with. */
class MoreSlotsTest {
  private static final int FRAMES = 3;

  @Test
  void aModelRunsWithMoreSlotsThanItWasTrainedWith() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(GoldenTest.GOLDEN.resolve("input.tfrecord"), 2);
    ClipBatches.Batch batch = ClipBatches.sequences(clips, 0, clips.size(), FRAMES);
    int trained = Checkpoints.resolve(GoldenTest.MODEL).config().slots(), k = trained + 3;
    try (LoadedModel m = LoadedModel.open(GoldenTest.MODEL, false, 0, k)) {
      assertEquals(k, m.config().slots());
      assertEquals(trained, m.checkpoint().config().slots(), "the checkpoint's own configuration is untouched");
      int pixels = batch.height() * batch.width();
      VideoInference.Clip clip = m.inference().decompose(batch.frames(), clips.size(), FRAMES, 1, 1f);
      assertEquals(clips.size() * FRAMES * k * pixels, clip.masks().length);
      // masks are a softmax over the k slots: every pixel's masks sum to 1
      for (int bt = 0; bt < clips.size() * FRAMES; bt++) {
        for (int p = 0; p < pixels; p++) {
          double sum = 0;
          for (int s = 0; s < k; s++) {
            sum += clip.masks()[(bt * k + s) * pixels + p];
          }
          assertEquals(1.0, sum, 1e-4);
        }
      }
      for (int label : clip.segmentation()) {
        assertTrue(label >= 0 && label < k, "segmentation label " + label);
      }
      for (float ll : clip.logLikelihood()) {
        assertTrue(Float.isFinite(ll));
      }
    }
  }

  @Test
  void askingForTheTrainedCountChangesNothing() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(GoldenTest.GOLDEN.resolve("input.tfrecord"), 2);
    ClipBatches.Batch batch = ClipBatches.sequences(clips, 0, clips.size(), FRAMES);
    float[] asTrained, six;
    try (LoadedModel m = LoadedModel.open(GoldenTest.MODEL, false, 0, 0)) {
      asTrained = m.inference().decompose(batch.frames(), clips.size(), FRAMES, 3, 1f).masks();
    }
    try (LoadedModel m = LoadedModel.open(GoldenTest.MODEL, false, 0, Checkpoints.resolve(GoldenTest.MODEL).config().slots())) {
      six = m.inference().decompose(batch.frames(), clips.size(), FRAMES, 3, 1f).masks();
    }
    assertArrayEquals(asTrained, six, 1e-6f);
  }

  @Test
  void badSlotCountsAreClearErrors() {
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> LoadedModel.open(GoldenTest.MODEL, false, 0, 1));
    assertTrue(one.getMessage().contains("slots (K) must be in 2..32"), one.getMessage());
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> LoadedModel.open(GoldenTest.MODEL, false, 0, -1));
    assertTrue(negative.getMessage().contains("slots must be 0"), negative.getMessage());
  }
}
