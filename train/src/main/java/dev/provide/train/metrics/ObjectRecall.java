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
  private final PerObjectMean recall = new PerObjectMean();
  private final PerObjectMean inSlotZero = new PerObjectMean();

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
      SegmentedFrame frame = SegmentedFrame.of(masks, ids, f, slots, pixels);
      int[][] counts = new int[frame.maxId() + 1][slots]; // [id, slot] pixels
      for (int p = 0; p < pixels; p++) {
        counts[ids[f * pixels + p]][frame.slotOf()[p]]++;
      }
      for (int id = 1; id <= frame.maxId(); id++) {
        int total = Arrays.stream(counts[id]).sum();
        if (total == 0) {
          continue;
        }
        recall.add(id, (double) Arrays.stream(counts[id]).max().getAsInt() / total);
        inSlotZero.add(id, (double) counts[id][0] / total);
      }
    }
  }

  /** The largest object id seen (0 when none). */
  public int maxId() {
    return recall.maxId();
  }

  /** Frames in which object {@code id} had pixels. */
  public long appearances(int id) {
    return recall.count(id);
  }

  /** Mean share of the object's pixels in its best slot; NaN if it never appeared. */
  public double recall(int id) {
    return recall.mean(id);
  }

  /** Mean share of the object's pixels in slot 0; NaN if it never appeared. */
  public double inSlotZero(int id) {
    return inSlotZero.mean(id);
  }
}
