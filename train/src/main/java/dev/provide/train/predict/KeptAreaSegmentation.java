package dev.provide.train.predict;

import dev.provide.train.metrics.Ari;
import java.util.Arrays;

/**
 * A hard segmentation of the model's predicted masks that keeps each object's size (docs/MODEL.md
 * section 9, "Kept-area segmentation"). The masks of a forecast are probabilities: where a ball's
 * place grows uncertain its mask spreads over the places it may be, and once no pixel holds it
 * above the background the argmax loses the ball although the forecast still says where it
 * probably is. This read-out gives every object slot as many pixels as it held in the last
 * observed frame, its most probable ones; the background slot takes the rest.
 *
 * <p>Per sequence, the background slot is the one holding the most pixels of the last observed
 * frame's argmax segmentation; every other slot k may claim A_k pixels, its count there.
 * At each predicted frame, the (pixel, object slot) pairs are taken in decreasing order of the
 * slot's mask at the pixel, each pixel going to the first slot that claims it while that slot
 * has pixels left to claim. The predicted frame itself (and so its MSE) is the model's.
 */
public final class KeptAreaSegmentation {
  /** The read-out's name in reports. */
  public static final String NAME = "model_kept_area";

  private KeptAreaSegmentation() {}

  /**
   * The read-out as one-hot masks.
   *
   * @param predicted the model's predicted masks [B, P, K, H*W]
   * @param observed the model's masks of the observed frames [B, F, K, H*W]
   * @return one-hot masks [B, P, K, H*W]
   */
  public static float[] of(float[] predicted, float[] observed, int batch, int observedFrames, int future, int slots, int pixels) {
    long frame = (long) slots * pixels;
    if (predicted.length != batch * future * frame || observed.length != batch * observedFrames * frame) {
      throw new IllegalArgumentException("masks must be [B, P, K, H*W] and [B, F, K, H*W] with B = " + batch + ", P = " + future
          + ", F = " + observedFrames + ", K = " + slots + ", H*W = " + pixels);
    }
    float[] out = new float[predicted.length];
    for (int b = 0; b < batch; b++) {
      int last = (b * observedFrames + observedFrames - 1) * (int) frame;
      int[] area = new int[slots];
      for (int slot : Ari.argmaxSlots(Arrays.copyOfRange(observed, last, last + (int) frame), slots)) {
        area[slot]++;
      }
      int background = 0;
      for (int k = 1; k < slots; k++) {
        if (area[k] > area[background]) {
          background = k;
        }
      }
      for (int h = 0; h < future; h++) {
        int base = (b * future + h) * (int) frame;
        segment(predicted, base, area, background, slots, pixels, out);
      }
    }
    return out;
  }

  private static void segment(float[] masks, int base, int[] area, int background, int slots, int pixels, float[] out) {
    // Candidates: (slot, pixel) of the object slots, most probable first (ties: lower index first).
    Integer[] order = new Integer[(slots - 1) * pixels];
    int n = 0;
    for (int k = 0; k < slots; k++) {
      if (k != background) {
        for (int q = 0; q < pixels; q++) {
          order[n++] = k * pixels + q;
        }
      }
    }
    Arrays.sort(order, 0, n, (x, y) -> {
      int byValue = Float.compare(masks[base + y], masks[base + x]);
      return byValue != 0 ? byValue : Integer.compare(x, y);
    });
    int[] left = area.clone();
    boolean[] taken = new boolean[pixels];
    for (int i = 0; i < n; i++) {
      int k = order[i] / pixels, q = order[i] % pixels;
      if (!taken[q] && left[k] > 0) {
        taken[q] = true;
        left[k]--;
        out[base + k * pixels + q] = 1f;
      }
    }
    for (int q = 0; q < pixels; q++) {
      if (!taken[q]) {
        out[base + background * pixels + q] = 1f;
      }
    }
  }
}
