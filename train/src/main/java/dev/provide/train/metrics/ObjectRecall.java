package dev.provide.train.metrics;

import java.util.Arrays;

/**
 * How whole each true object stays in a segmentation, per object id: for every frame in which an
 * object has pixels, the share of them that falls in the slot holding most of them (its
 * <em>recall</em>; 1 when one slot holds the whole object), and the share that falls in slot 0 (the
 * background slot of a model with one). Averaged over the frames each object appears in.
 *
 * <p>F-ARI says how well objects are separated but not which ones are lost; on data whose ids name
 * the objects (ball {@code i} has colour {@code i} in the colour balls data) this says which.
 */
public final class ObjectRecall {
  private double[] recall = new double[0];
  private double[] inSlotZero = new double[0];
  private long[] appearances = new long[0];

  /**
   * Adds frames.
   *
   * @param masks [F, K, H, W]
   * @param ids ground truth [F, H, W], 0 the background (not scored)
   * @param frames F
   * @param slots K
   * @param pixels H * W
   */
  public void add(float[] masks, int[] ids, int frames, int slots, int pixels) {
    if (masks.length != (long) frames * slots * pixels || ids.length != (long) frames * pixels) {
      throw new IllegalArgumentException("mask or id arrays do not match " + frames + " frames of " + slots + " slots of "
          + pixels + " pixels");
    }
    for (int f = 0; f < frames; f++) {
      int[] slotOf = Ari.argmaxSlots(Arrays.copyOfRange(masks, f * slots * pixels, (f + 1) * slots * pixels), slots);
      int maxId = 0;
      for (int p = 0; p < pixels; p++) {
        maxId = Math.max(maxId, ids[f * pixels + p]);
      }
      grow(maxId + 1);
      int[][] counts = new int[maxId + 1][slots]; // [id, slot] pixels
      for (int p = 0; p < pixels; p++) {
        int id = ids[f * pixels + p];
        if (id < 0) {
          throw new IllegalArgumentException("object ids must be >= 0, got " + id);
        }
        counts[id][slotOf[p]]++;
      }
      for (int id = 1; id <= maxId; id++) {
        int total = Arrays.stream(counts[id]).sum();
        if (total == 0) {
          continue;
        }
        recall[id] += (double) Arrays.stream(counts[id]).max().getAsInt() / total;
        inSlotZero[id] += (double) counts[id][0] / total;
        appearances[id]++;
      }
    }
  }

  private void grow(int size) {
    if (size > appearances.length) {
      recall = Arrays.copyOf(recall, size);
      inSlotZero = Arrays.copyOf(inSlotZero, size);
      appearances = Arrays.copyOf(appearances, size);
    }
  }

  /** The largest object id seen (0 when none). */
  public int maxId() {
    return Math.max(0, appearances.length - 1);
  }

  /** Frames in which object {@code id} had pixels. */
  public long appearances(int id) {
    return id < appearances.length ? appearances[id] : 0;
  }

  /** Mean share of the object's pixels in its best slot; NaN if it never appeared. */
  public double recall(int id) {
    return appearances(id) == 0 ? Double.NaN : recall[id] / appearances[id];
  }

  /** Mean share of the object's pixels in slot 0; NaN if it never appeared. */
  public double inSlotZero(int id) {
    return appearances(id) == 0 ? Double.NaN : inSlotZero[id] / appearances[id];
  }
}
