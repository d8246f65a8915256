package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ObjectRecallTest {
  /** Masks [K, pixels] whose argmax is {@code slotOf}. */
  private static float[] hardMasks(int[] slotOf, int slots) {
    float[] m = new float[slots * slotOf.length];
    for (int p = 0; p < slotOf.length; p++) {
      m[slotOf[p] * slotOf.length + p] = 1f;
    }
    return m;
  }

  @Test
  void countsTheShareOfEachObjectInItsBestSlotAndInSlotZero() {
    // Frame 1: object 1 has 4 pixels, 3 in slot 2 and 1 in slot 0; object 2 has 2 pixels, 1 in slot 1, 1 in slot 2.
    int[] ids1 = {0, 1, 1, 1, 1, 2, 2, 0};
    int[] slots1 = {0, 2, 2, 2, 0, 1, 2, 1};
    // Frame 2: object 1 whole in slot 1, object 2 absent.
    int[] ids2 = {0, 1, 1, 0, 0, 0, 0, 0};
    int[] slots2 = {0, 1, 1, 0, 0, 0, 2, 2};
    float[] masks = new float[2 * 3 * 8];
    System.arraycopy(hardMasks(slots1, 3), 0, masks, 0, 24);
    System.arraycopy(hardMasks(slots2, 3), 0, masks, 24, 24);
    int[] ids = new int[16];
    System.arraycopy(ids1, 0, ids, 0, 8);
    System.arraycopy(ids2, 0, ids, 8, 8);
    ObjectRecall o = new ObjectRecall();
    o.add(masks, ids, 2, 3, 8);
    assertEquals(2, o.maxId());
    assertEquals(2, o.appearances(1));
    assertEquals(1, o.appearances(2));
    assertEquals((0.75 + 1.0) / 2, o.recall(1), 1e-12);
    assertEquals((0.25 + 0.0) / 2, o.inSlotZero(1), 1e-12);
    assertEquals(0.5, o.recall(2), 1e-12);
    assertEquals(0.0, o.inSlotZero(2), 1e-12);
    assertTrue(Double.isNaN(o.recall(3)));
    assertEquals(0, o.appearances(7));
  }

  @Test
  void refusesMismatchedArraysAndNegativeIds() {
    ObjectRecall o = new ObjectRecall();
    assertThrows(IllegalArgumentException.class, () -> o.add(new float[5], new int[2], 1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> o.add(new float[4], new int[] {0, -1}, 1, 2, 2));
  }
}
