package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ObjectPlacementTest {
  private static final int SIDE = 6, PIXELS = SIDE * SIDE, SLOTS = 3;

  /** Fills rows [r0, r1] x columns [c0, c1] of a frame with {@code value}. */
  private static void box(int[] frame, int r0, int r1, int c0, int c1, int value) {
    for (int r = r0; r <= r1; r++) {
      for (int c = c0; c <= c1; c++) {
        frame[r * SIDE + c] = value;
      }
    }
  }

  /** One-hot masks [K, pixels] whose argmax is {@code slotOf}, written at frame {@code f} of {@code masks}. */
  private static void hardMasks(float[] masks, int f, int[] slotOf) {
    for (int p = 0; p < PIXELS; p++) {
      masks[(f * SLOTS + slotOf[p]) * PIXELS + p] = 1f;
    }
  }

  /** Two frames' ids [2, pixels] and one-hot masks [2, K, pixels] from each frame's ids and slots. */
  private record TwoFrames(int[] ids, float[] masks) {
    static TwoFrames of(int[] ids1, int[] slots1, int[] ids2, int[] slots2) {
      int[] ids = new int[2 * PIXELS];
      System.arraycopy(ids1, 0, ids, 0, PIXELS);
      System.arraycopy(ids2, 0, ids, PIXELS, PIXELS);
      float[] masks = new float[2 * SLOTS * PIXELS];
      hardMasks(masks, 0, slots1);
      hardMasks(masks, 1, slots2);
      return new TwoFrames(ids, masks);
    }
  }

  @Test
  void measuresEachObjectsCentroidErrorAreaRatioAndLosses() {
    int[] slots1 = new int[PIXELS], slots2 = new int[PIXELS];
    int[] ids1 = new int[PIXELS], ids2 = new int[PIXELS];
    box(ids1, 1, 2, 1, 3, 1); // object 1: 6 pixels, centroid (1.5, 2)
    box(ids1, 4, 5, 0, 3, 2); // object 2: 8 pixels, centroid (4.5, 1.5)
    box(slots1, 1, 2, 2, 4, 1); // slot 1: 6 pixels, centroid (1.5, 3): one pixel to the right, the same size
    box(slots1, 5, 5, 0, 3, 2); // slot 2: 4 pixels, centroid (5, 1.5): half a pixel down, half the size
    box(ids2, 1, 2, 1, 3, 1); // frame 2: object 1 again, all of it in slot 0 (lost); object 2 absent
    box(slots2, 4, 5, 4, 5, 1);
    TwoFrames two = TwoFrames.of(ids1, slots1, ids2, slots2);
    int[] ids = two.ids();
    float[] masks = two.masks();
    ObjectPlacement o = new ObjectPlacement(SIDE);
    o.add(masks, ids, 2, SLOTS, PIXELS);
    assertEquals(2, o.maxId());
    assertEquals(2, o.appearances(1));
    assertEquals(1.0, o.centroidError(1), 1e-12);
    assertEquals(1.0, o.areaRatio(1), 1e-12);
    assertEquals(0.5, o.lost(1), 1e-12);
    assertEquals(0.5, o.centroidError(2), 1e-12);
    assertEquals(0.5, o.areaRatio(2), 1e-12);
    assertEquals(0.0, o.lost(2), 1e-12);
    assertEquals(0.75, o.centroidError(), 1e-12);
    assertEquals(0.75, o.areaRatio(), 1e-12);
    assertEquals(1.0 / 3, o.lost(), 1e-12);
    assertTrue(Double.isNaN(o.centroidError(3)));
    assertTrue(Double.isNaN(o.lost(3)));
  }

  @Test
  void theObjectsSlotIsTheObjectSlotHoldingMostOfItNeverTheBackground() {
    int[] ids = new int[PIXELS], slotOf = new int[PIXELS];
    box(ids, 0, 1, 0, 2, 1); // 6 pixels, centroid (0.5, 1)
    slotOf[0] = 1; // slot 1 holds one pixel of the object and a large region elsewhere
    box(slotOf, 3, 5, 0, 5, 1);
    slotOf[1] = 2; // slot 2 holds two pixels of it and nothing else; the other three are in slot 0
    slotOf[2] = 2;
    float[] masks = new float[SLOTS * PIXELS];
    hardMasks(masks, 0, slotOf);
    ObjectPlacement o = new ObjectPlacement(SIDE);
    o.add(masks, ids, 1, SLOTS, PIXELS);
    assertEquals(0.0, o.lost(1), 1e-12);
    assertEquals(Math.hypot(0.5, 0.5), o.centroidError(1), 1e-12); // slot 2's centroid (0, 1.5)
    assertEquals(2.0 / 6, o.areaRatio(1), 1e-12);
  }

  @Test
  void theAlongTrackPartIsTheErrorProjectedOnTheObjectsTrueMotion() {
    // Object 1 moved from (1.5, 1) to (1.5, 3), to the right; its slot sits at (2.5, 2): one pixel
    // behind it and one below, so 1 behind along the track (-1) though sqrt(2) away.
    int[] before = new int[PIXELS], ids = new int[PIXELS], slotOf = new int[PIXELS];
    box(before, 1, 2, 0, 2, 1);
    box(ids, 1, 2, 2, 4, 1);
    box(ids, 4, 5, 4, 5, 2); // object 2 appears only now: no motion, no along-track part
    box(slotOf, 2, 3, 1, 3, 1);
    box(slotOf, 4, 5, 4, 5, 2);
    float[] masks = new float[SLOTS * PIXELS];
    hardMasks(masks, 0, slotOf);
    ObjectPlacement o = new ObjectPlacement(SIDE);
    o.add(masks, ids, before, 1, SLOTS, PIXELS);
    assertEquals(Math.sqrt(2), o.centroidError(1), 1e-12);
    assertEquals(-1.0, o.alongTrack(1), 1e-12);
    assertTrue(Double.isNaN(o.alongTrack(2)));
    assertEquals(-1.0, o.alongTrack(), 1e-12);
    // Without the frame before there is no along-track part at all.
    ObjectPlacement without = new ObjectPlacement(SIDE);
    without.add(masks, ids, 1, SLOTS, PIXELS);
    assertTrue(Double.isNaN(without.alongTrack()));
    assertEquals(o.centroidError(), without.centroidError(), 1e-12);
    // Split by motion: object 1 moving straight lags by 1; as a turned object it leaves the straight split empty.
    ObjectPlacement straight = new ObjectPlacement(SIDE);
    straight.add(masks, ids, before, new int[][] {{Turns.UNKNOWN, Turns.STRAIGHT, Turns.TURNED}}, 1, SLOTS, PIXELS);
    assertEquals(-1.0, straight.alongTrackMovingStraight(), 1e-12);
    ObjectPlacement turned = new ObjectPlacement(SIDE);
    turned.add(masks, ids, before, new int[][] {{Turns.UNKNOWN, Turns.TURNED, Turns.TURNED}}, 1, SLOTS, PIXELS);
    assertTrue(Double.isNaN(turned.alongTrackMovingStraight()));
  }

  @Test
  void refusesMismatchedArraysNegativeIdsAndRowsThatDoNotFit() {
    assertThrows(IllegalArgumentException.class, () -> new ObjectPlacement(0));
    ObjectPlacement o = new ObjectPlacement(2);
    assertThrows(IllegalArgumentException.class, () -> o.add(new float[5], new int[2], 1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> o.add(new float[4], new int[] {0, -1}, 1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new ObjectPlacement(4).add(new float[12], new int[6], 1, 2, 6));
    assertThrows(IllegalArgumentException.class, () -> o.add(new float[4], new int[2], new int[3], 1, 2, 2));
  }

  @Test
  void theCentroidErrorIsSplitByEachObjectsMotionClass() {
    // Two frames. Frame 1: object 1 (straight) placed 1 pixel off, object 2 (turned) placed exactly.
    // Frame 2: object 1 (turned by then) placed 2 pixels off, object 2 not classified, 1 pixel off.
    int[] slots1 = new int[PIXELS], slots2 = new int[PIXELS];
    int[] ids1 = new int[PIXELS], ids2 = new int[PIXELS];
    box(ids1, 0, 1, 0, 1, 1);
    box(ids1, 4, 5, 4, 5, 2);
    box(slots1, 0, 1, 1, 2, 1);
    box(slots1, 4, 5, 4, 5, 2);
    box(ids2, 0, 1, 0, 1, 1);
    box(ids2, 4, 5, 2, 3, 2);
    box(slots2, 0, 1, 1, 4, 1); // centroid (0.5, 2.5): 2 pixels right of object 1
    box(slots2, 4, 5, 3, 4, 2);
    TwoFrames two = TwoFrames.of(ids1, slots1, ids2, slots2);
    int[] ids = two.ids();
    float[] masks = two.masks();
    int[][] motion = {{Turns.UNKNOWN, Turns.STRAIGHT, Turns.TURNED}, {Turns.UNKNOWN, Turns.TURNED, Turns.UNKNOWN}};
    ObjectPlacement o = new ObjectPlacement(SIDE);
    o.add(masks, ids, null, motion, 2, SLOTS, PIXELS);
    assertEquals(1.0, o.centroidErrorMovingStraight(), 1e-12);
    assertEquals(1.0, o.centroidErrorTurned(), 1e-12); // (0 + 2) / 2
    assertEquals(2.0 / 3, o.turnedShare(), 1e-12);
    assertEquals(1.0, o.centroidError(), 1e-12); // all four placements, classified or not
    ObjectPlacement none = new ObjectPlacement(SIDE);
    none.add(masks, ids, 2, SLOTS, PIXELS);
    assertTrue(Double.isNaN(none.centroidErrorMovingStraight()));
    assertTrue(Double.isNaN(none.turnedShare()));
    assertThrows(IllegalArgumentException.class, () -> none.add(masks, ids, null, new int[1][], 2, SLOTS, PIXELS));
  }
}
