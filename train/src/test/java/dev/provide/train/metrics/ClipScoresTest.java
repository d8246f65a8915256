package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.train.Evaluator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClipScoresTest {
  private static final int K = 2, P = 4;
  // Frame masks: slot 0 takes pixels 0-1, slot 1 pixels 2-3.
  private static final float[] MASKS = {1, 1, 0, 0, 0, 0, 1, 1};
  private static final float[] IMAGES = new float[P * 3];

  @Test
  void withoutGroundTruthAriIsNotComputedAndTablesSaySo() {
    ClipScores s = new ClipScores();
    s.add(MASKS, IMAGES, IMAGES, new int[P], 1, 1, K, P);
    assertFalse(s.hasGroundTruth());
    assertTrue(Double.isNaN(s.ari()) && Double.isNaN(s.foregroundAri()), "it was ARI 0 and F-ARI 1 for a mask-less import");
    assertEquals(0.0, s.mse());
    assertEquals("n/a", ClipScores.format(s.ari()));
    String table = Evaluator.markdown(Map.of(10, new Evaluator.Scores(s.ari(), s.foregroundAri(), s.mse(), s.frames())), "t");
    assertTrue(table.contains("| 10 frames | n/a | n/a | 0.00000 |") && table.contains("no ground truth"), table);
  }

  @Test
  void withGroundTruthTheScoresAreComputed() {
    ClipScores s = new ClipScores();
    s.add(MASKS, IMAGES, IMAGES, new int[] {0, 0, 1, 1}, 1, 1, K, P);
    assertTrue(s.hasGroundTruth());
    assertEquals(1.0, s.ari(), 1e-12);
    assertEquals("1.0000", ClipScores.format(s.ari()));
    assertFalse(Evaluator.markdown(Map.of(10, new Evaluator.Scores(s.ari(), s.foregroundAri(), s.mse(), s.frames())), "t")
        .contains("no ground truth"));
  }
}
