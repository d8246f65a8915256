package dev.provide.train.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.train.metrics.ClipScores;
import dev.provide.train.metrics.Turns;
import dev.provide.train.render.HorizonPlot;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HorizonScoresTest {
  private static final int B = 3, P = 4, K = 3, PIXELS = 20;

  @Test
  void eachHorizonIsScoredOnItsOwnFramesAndTheOverallIsTheMean() {
    Random r = new Random(5);
    float[] masks = random(r, B * P * K * PIXELS), recon = random(r, B * P * PIXELS * 3), truth = random(r, B * P * PIXELS * 3);
    int[] ids = new int[B * P * PIXELS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(4);
    }
    HorizonScores h = new HorizonScores(P, 4, 5);
    h.add(new Forecast("a", masks, recon), truth, ids, B);
    ClipScores all = new ClipScores();
    all.add(masks, recon, truth, ids, B, P, K, PIXELS);
    double meanAri = 0;
    for (int t = 1; t <= P; t++) {
      // Horizon t from scratch: frame t - 1 of each sequence.
      float[] m = new float[B * K * PIXELS], x = new float[B * PIXELS * 3], y = new float[B * PIXELS * 3];
      int[] g = new int[B * PIXELS];
      for (int b = 0; b < B; b++) {
        System.arraycopy(masks, (b * P + t - 1) * K * PIXELS, m, b * K * PIXELS, K * PIXELS);
        System.arraycopy(recon, (b * P + t - 1) * PIXELS * 3, x, b * PIXELS * 3, PIXELS * 3);
        System.arraycopy(truth, (b * P + t - 1) * PIXELS * 3, y, b * PIXELS * 3, PIXELS * 3);
        System.arraycopy(ids, (b * P + t - 1) * PIXELS, g, b * PIXELS, PIXELS);
      }
      ClipScores one = new ClipScores();
      one.add(m, x, y, g, B, 1, K, PIXELS);
      assertEquals(one.mse(), h.at("a", t).mse(), 1e-12);
      assertEquals(one.ari(), h.at("a", t).ari(), 1e-12);
      assertEquals(one.foregroundAri(), h.at("a", t).foregroundAri(), 1e-12);
      meanAri += one.ari() / P;
    }
    assertEquals(all.mse(), h.overall("a", HorizonScores.Metric.MSE), 1e-9);
    assertEquals(all.ari(), h.overall("a", HorizonScores.Metric.ARI), 1e-9);
    assertEquals(meanAri, h.overall("a", HorizonScores.Metric.ARI), 1e-12);
  }

  @Test
  void reportsWhichPredictorsBeatOneAndPlotsEveryOne() {
    Random r = new Random(6);
    float[] truth = random(r, B * P * PIXELS * 3), masks = random(r, B * P * K * PIXELS);
    int[] ids = new int[B * P * PIXELS];
    HorizonScores h = new HorizonScores(P, 4, 5);
    h.add(new Forecast(Forecast.MODEL, masks, random(r, truth.length)), truth, ids, B);
    h.add(new Forecast("perfect", masks, truth.clone()), truth, ids, B);
    assertEquals(List.of(Forecast.MODEL, "perfect"), h.predictors());
    assertEquals(List.of("perfect"), h.beating(Forecast.MODEL, 1));
    assertTrue(h.beating("perfect", 1).isEmpty());
    String md = PredictionReport.markdown(h, new PredictionReport.Setup(2, B, java.nio.file.Path.of("x.tfrecord"), "mean"));
    assertTrue(md.contains("| mse at horizon | model | perfect |"), md);
    assertTrue(md.contains("at or below the model's at horizons [1, 2, 3, 4]"), md);
    assertTrue(!md.contains("object id at horizon"), "a per-object table without object ids: " + md);
    BufferedImage img = HorizonPlot.draw(h, "test");
    assertTrue(img.getWidth() > 400 && img.getHeight() > 200);
  }

  @Test
  void perObjectRecallIsScoredOnEachHorizonsOwnFrames() {
    Random r = new Random(8);
    float[] masks = random(r, B * P * K * PIXELS), truth = random(r, B * P * PIXELS * 3);
    int[] ids = randomIds(r, 0, 2);
    HorizonScores h = new HorizonScores(P, 4, 5);
    h.add(new Forecast(Forecast.MODEL, masks, truth.clone()), truth, ids, B);
    for (int t = 1; t <= P; t++) {
      dev.provide.train.metrics.ObjectRecall one = new dev.provide.train.metrics.ObjectRecall();
      for (int b = 0; b < B; b++) {
        int frame = b * P + t - 1;
        one.add(java.util.Arrays.copyOfRange(masks, frame * K * PIXELS, (frame + 1) * K * PIXELS),
            java.util.Arrays.copyOfRange(ids, frame * PIXELS, (frame + 1) * PIXELS), 1, K, PIXELS);
      }
      dev.provide.train.metrics.ObjectPlacement where = new dev.provide.train.metrics.ObjectPlacement(5);
      for (int b = 0; b < B; b++) {
        int frame = b * P + t - 1;
        int[] before = t == 1 ? null : java.util.Arrays.copyOfRange(ids, (frame - 1) * PIXELS, frame * PIXELS);
        where.add(java.util.Arrays.copyOfRange(masks, frame * K * PIXELS, (frame + 1) * K * PIXELS),
            java.util.Arrays.copyOfRange(ids, frame * PIXELS, (frame + 1) * PIXELS), before, 1, K, PIXELS);
      }
      assertEquals(where.alongTrack(), h.placementAt(Forecast.MODEL, t).alongTrack(), 1e-12);
      assertEquals(t == 1, Double.isNaN(h.placementAt(Forecast.MODEL, t).alongTrack()), "along-track from horizon 2 on");
      for (int id = 1; id <= 2; id++) {
        assertEquals(one.recall(id), h.objectsAt(Forecast.MODEL, t).recall(id), 1e-12);
        assertEquals(one.inSlotZero(id), h.objectsAt(Forecast.MODEL, t).inSlotZero(id), 1e-12);
        assertEquals(where.centroidError(id), h.placementAt(Forecast.MODEL, t).centroidError(id), 1e-12);
        assertEquals(where.areaRatio(id), h.placementAt(Forecast.MODEL, t).areaRatio(id), 1e-12);
      }
      assertTrue(where.centroidError() > 0, "random masks put objects off their centroids");
    }
    String md = PredictionReport.markdown(h, new PredictionReport.Setup(2, B, java.nio.file.Path.of("x.tfrecord"), "mean"));
    assertTrue(md.contains("| model: object id at horizon | 1 in best slot | 1 in slot 0 | 2 in best slot | 2 in slot 0 |"), md);
    assertTrue(md.contains("| centroid error (pixels) at horizon | model |"), md);
    assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| 2 | %.2f |", h.placementAt(Forecast.MODEL, 2).areaRatio())), md);
    String json = new com.google.gson.Gson().toJson(h.toMap());
    assertTrue(json.contains("\"object_recall\":{\"1\":["), json);
    assertTrue(json.contains("\"centroid_error\":["), json);
    assertTrue(json.contains("\"object_centroid_error\":{\"1\":["), json);
  }

  @Test
  void eachObjectsMotionClassReachesItsSequenceAndHorizon() {
    Random r = new Random(11);
    float[] masks = random(r, B * P * K * PIXELS), truth = random(r, B * P * PIXELS * 3);
    int[] ids = randomIds(r, 1, 2);
    // Sequence b, horizon h + 1: object 1 straight everywhere, object 2 turned only in the last sequence at the last horizon.
    int[][] motion = new int[B * P][];
    for (int row = 0; row < B * P; row++) {
      motion[row] = new int[] {Turns.UNKNOWN, Turns.STRAIGHT, row == B * P - 1 ? Turns.TURNED : Turns.STRAIGHT};
    }
    HorizonScores h = new HorizonScores(P, 4, 5);
    h.add(new Forecast(Forecast.MODEL, masks, truth.clone()), truth, ids, motion, B);
    for (int t = 1; t <= P; t++) {
      double expected = t == P ? 1.0 / (2 * B) : 0.0; // one of the 2B classified placements
      assertEquals(expected, h.placementAt(Forecast.MODEL, t).turnedShare(), 1e-12, "horizon " + t);
    }
    assertTrue(new com.google.gson.Gson().toJson(h.toMap()).contains("\"centroid_error_turned\":["));
    assertThrows(IllegalArgumentException.class, () -> h.add(new Forecast("x", masks, truth), truth, ids, new int[1][], B));
  }

  @Test
  void forecastsMayHaveTheirOwnSlotCountAndTheTrueMasksReferenceIsNoBaseline() {
    Random r = new Random(7);
    float[] truth = random(r, B * P * PIXELS * 3);
    int[] ids = new int[B * P * PIXELS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(2);
    }
    // The reference: two slots that are exactly the labels, and the true frames.
    float[] exact = new float[B * P * 2 * PIXELS];
    for (int f = 0; f < B * P; f++) {
      for (int q = 0; q < PIXELS; q++) {
        exact[(f * 2 + ids[f * PIXELS + q]) * PIXELS + q] = 1f;
      }
    }
    HorizonScores h = new HorizonScores(P, 4, 5);
    h.add(new Forecast(Forecast.MODEL, random(r, B * P * K * PIXELS), random(r, truth.length)), truth, ids, B);
    h.add(new Forecast(Baselines.TRUE_MASKS_VELOCITY, exact, truth.clone()), truth, ids, B);
    assertEquals(1.0, h.at(Baselines.TRUE_MASKS_VELOCITY, 2).ari(), 1e-12);
    assertEquals(0.0, h.at(Baselines.TRUE_MASKS_VELOCITY, 2).mse(), 1e-12);
    assertEquals(List.of(Baselines.TRUE_MASKS_VELOCITY), h.beating(Forecast.MODEL, 1));
    String md = PredictionReport.markdown(h, new PredictionReport.Setup(2, B, java.nio.file.Path.of("x.tfrecord"), "mean"));
    assertTrue(md.contains("The model's MSE is below every baseline's at every horizon."), md);
    assertTrue(md.contains(Baselines.TRUE_MASKS_VELOCITY + " is constant velocity on the true masks"), md);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> h.add(new Forecast("ragged", new float[B * P * PIXELS + 1], truth), truth, ids, B));
    assertTrue(e.getMessage().contains("ragged's masks hold"), e.getMessage());
  }

  /** Ids [B, P, pixels], each uniform in [from, to]. */
  private static int[] randomIds(Random r, int from, int to) {
    int[] ids = new int[B * P * PIXELS];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = from + r.nextInt(to - from + 1);
    }
    return ids;
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat();
    }
    return v;
  }
}
