package dev.provide.train.metrics;

import java.util.Arrays;

/**
 * One frame of a segmentation beside its ground truth: each pixel's argmax slot and the largest
 * object id present.
 *
 * @param slotOf the argmax slot of each pixel [H * W]
 * @param maxId the largest ground-truth id in the frame (0: background only)
 */
record SegmentedFrame(int[] slotOf, int maxId) {
  /**
   * Frame {@code f} of masks [F, K, H, W] and ids [F, H, W].
   *
   * @throws IllegalArgumentException for a negative id
   */
  static SegmentedFrame of(float[] masks, int[] ids, int f, int slots, int pixels) {
    int[] slotOf = Ari.argmaxSlots(Arrays.copyOfRange(masks, f * slots * pixels, (f + 1) * slots * pixels), slots);
    int maxId = 0;
    for (int p = 0; p < pixels; p++) {
      int id = ids[f * pixels + p];
      if (id < 0) {
        throw new IllegalArgumentException("object ids must be >= 0, got " + id);
      }
      maxId = Math.max(maxId, id);
    }
    return new SegmentedFrame(slotOf, maxId);
  }
}
