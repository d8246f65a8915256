package dev.provide.train.metrics;

/**
 * Accumulates ARI, F-ARI and MSE over frames of decomposed clips (MODEL.md section 9): each
 * frame's ground-truth ids against the argmax over slots of its masks, averaged over frames and
 * clips.
 */
public final class ClipScores {
  /** Said where scores would be printed for data without ground truth. */
  public static final String NO_GROUND_TRUTH =
      "no ground truth: every object id in the data is 0 (imported without masks?), so ARI and F-ARI are not computed";

  private boolean groundTruth;
  private double ari;
  private double foregroundAri;
  private double squaredError;
  private long frames;
  private long values;

  /** Receives one frame's scores: its index in the batch (b * F + f), ARI and F-ARI. */
  @FunctionalInterface
  public interface FrameScores {
    void frame(int index, double ari, double foregroundAri);
  }

  /**
   * Adds a batch.
   *
   * @param masks [B, F, K, H, W]
   * @param reconstruction [B, F, H, W, 3]
   * @param images the true frames [B, F, H, W, 3]
   * @param ids ground truth [B, F, H, W]
   */
  public void add(float[] masks, float[] reconstruction, float[] images, int[] ids, int batch, int numFrames, int slots, int pixels) {
    add(masks, reconstruction, images, ids, batch, numFrames, slots, pixels, (index, a, fa) -> {});
  }

  /** As {@link #add(float[], float[], float[], int[], int, int, int, int)}, reporting every frame's scores. */
  public void add(float[] masks, float[] reconstruction, float[] images, int[] ids, int batch, int numFrames, int slots, int pixels,
      FrameScores perFrame) {
    if (masks.length != (long) batch * numFrames * slots * pixels || ids.length != (long) batch * numFrames * pixels) {
      throw new IllegalArgumentException("mask or id arrays do not match the batch shape");
    }
    for (int f = 0; f < batch * numFrames; f++) {
      float[] frameMasks = java.util.Arrays.copyOfRange(masks, f * slots * pixels, (f + 1) * slots * pixels);
      int[] predicted = Ari.argmaxSlots(frameMasks, slots);
      int[] truth = java.util.Arrays.copyOfRange(ids, f * pixels, (f + 1) * pixels);
      for (int id : truth) {
        groundTruth |= id != 0;
      }
      double frameAri = Ari.ari(truth, predicted), frameForegroundAri = Ari.foregroundAri(truth, predicted);
      perFrame.frame(f, frameAri, frameForegroundAri);
      ari += frameAri;
      foregroundAri += frameForegroundAri;
      frames++;
    }
    for (int i = 0; i < images.length; i++) {
      double d = (double) reconstruction[i] - images[i];
      squaredError += d * d;
    }
    values += images.length;
  }

  /** Mean ARI over frames; NaN without ground truth (no frame scored had an object id). */
  public double ari() {
    return frames == 0 || !groundTruth ? Double.NaN : ari / frames;
  }

  /** Mean F-ARI over frames; NaN without ground truth. */
  public double foregroundAri() {
    return frames == 0 || !groundTruth ? Double.NaN : foregroundAri / frames;
  }

  /** Whether any frame scored had an object id other than 0 (the background). */
  public boolean hasGroundTruth() {
    return groundTruth;
  }

  /** An ARI or F-ARI for a table: four decimals, or "n/a" when it was not computed (NaN). */
  public static String format(double score) {
    return Double.isNaN(score) ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f", score);
  }

  /** The score for JSON: null when it was not computed. */
  public static Double orNull(double score) {
    return Double.isNaN(score) ? null : score;
  }

  /** MSE over all pixels, channels and frames. */
  public double mse() {
    return values == 0 ? Double.NaN : squaredError / values;
  }

  /** Frames scored. */
  public long frames() {
    return frames;
  }
}
