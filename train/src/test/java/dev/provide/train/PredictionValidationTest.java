package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionValidationTest {
  @TempDir Path dir;

  private static PredictionValidation.Score score(long step, double fAri) {
    return new PredictionValidation.Score(step, fAri, 0.5, 0.01, "val.tfrecord", 100, 10, 5, 1);
  }

  @Test
  void keepsOnlyAHigherFAriAndForgetsOneOfAnotherProtocol() throws Exception {
    Checkpoints.Checkpoint model = Checkpoints.resolve(Path.of("..", "testdata", "model"));
    PredictionValidation v = new PredictionValidation(List.of(clip(15, 1)), "val.tfrecord", 10, 5, 1, 1);
    Path run = dir.resolve("run");
    Files.createDirectories(run);
    assertTrue(PredictionValidation.best(run).isEmpty());
    assertTrue(v.keepIfBest(run, model, score(250, 0.70)), "the first score is the best so far");
    assertFalse(v.keepIfBest(run, model, score(500, 0.65)));
    assertFalse(v.keepIfBest(run, model, score(750, 0.70)), "a tie keeps the earlier checkpoint");
    assertFalse(v.keepIfBest(run, model, score(800, Double.NaN)));
    assertTrue(v.keepIfBest(run, model, score(1000, 0.72)));
    assertFalse(v.keepIfBest(run, model, score(1250, 0.71)));
    PredictionValidation.Score kept = PredictionValidation.best(run).orElseThrow();
    assertEquals(1000, kept.step());
    assertEquals(0.72, kept.fAri(), 0);
    // The kept folder is a model folder that loads as a checkpoint.
    assertEquals(model.config(), Checkpoints.resolve(run.resolve(PredictionValidation.FOLDER)).config());
    // Scores of another horizon are not compared with it: the first of them replaces it.
    PredictionValidation.Score otherHorizon = new PredictionValidation.Score(1500, 0.60, 0.5, 0.01, "val.tfrecord", 100, 10, 3, 1);
    assertTrue(v.keepIfBest(run, model, otherHorizon));
    assertEquals(1500, PredictionValidation.best(run).orElseThrow().step());
    // A damaged score file counts as none.
    Files.writeString(run.resolve(PredictionValidation.FOLDER).resolve(PredictionValidation.SCORE_FILE), "{ not json");
    assertTrue(PredictionValidation.best(run).isEmpty());
  }

  @Test
  void refusesClipsTooShortOrUnlabelledAndCountsBelowOne() {
    IllegalArgumentException shortClips =
        assertThrows(IllegalArgumentException.class, () -> new PredictionValidation(List.of(clip(12, 1)), "v", 10, 5, 1, 1));
    assertTrue(shortClips.getMessage().contains("has 12 frames") && shortClips.getMessage().contains("needs 15"), shortClips.getMessage());
    IllegalArgumentException unlabelled =
        assertThrows(IllegalArgumentException.class, () -> new PredictionValidation(List.of(clip(15, 0)), "v", 10, 5, 1, 1));
    assertTrue(unlabelled.getMessage().contains("no object labels"), unlabelled.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PredictionValidation(List.of(), "v", 10, 5, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PredictionValidation(List.of(clip(15, 1)), "v", 10, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PredictionValidation(List.of(clip(15, 1)), "v", 10, 5, 0, 1));
  }

  /** A black 4 x 4 clip of {@code frames} frames whose pixel 0 belongs to object {@code id} in every frame. */
  private static ClipRecord clip(int frames, int id) {
    byte[] ids = new byte[frames * 16];
    for (int t = 0; t < frames; t++) {
      ids[t * 16] = (byte) id;
    }
    return new ClipRecord(new byte[frames * 16], ids, frames, 4, 4, 1, id, "binary", 0);
  }
}
