package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TurnsTest {
  private static final int SIDE = 12, PIXELS = SIDE * SIDE;

  /** A 2 x 2 square of {@code id} with its top-left pixel at (row, column) in frame t. */
  private static void square(int[] ids, int t, int row, int column, int id) {
    for (int r = row; r < row + 2; r++) {
      for (int c = column; c < column + 2; c++) {
        ids[t * PIXELS + r * SIDE + c] = id;
      }
    }
  }

  @Test
  void anObjectHasTurnedFromTheFirstStepThatLeavesItsObservedDirection() {
    // 6 frames, 3 observed. Object 1 moves one pixel right every frame (straight throughout).
    // Object 2 moves right, right, then down from future frame 2 on (a wall): turned from horizon 2,
    // and stays turned when it moves right again at horizon 3.
    int frames = 6;
    int[] ids = new int[frames * PIXELS];
    int[][] two = {{6, 0}, {6, 1}, {6, 2}, {6, 3}, {7, 3}, {7, 4}};
    for (int t = 0; t < frames; t++) {
      square(ids, t, 0, t, 1);
      square(ids, t, two[t][0], two[t][1], 2);
    }
    int[][] classes = Turns.classify(ids, 1, frames, 3, PIXELS, SIDE, Turns.DEFAULT_DEGREES);
    assertEquals(3, classes.length); // horizons 1..3
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.STRAIGHT, Turns.STRAIGHT}, classes[0]);
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.STRAIGHT, Turns.TURNED}, classes[1]);
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.STRAIGHT, Turns.TURNED}, classes[2]);
  }

  @Test
  void aSmallChangeOfDirectionIsNotATurnAndAStillOrMissingObjectIsNotClassified() {
    // 2 clips of 4 frames, 2 observed. Clip 0: object 1 moves 3 right per frame, then 3 right and 1
    // down (18 degrees: not a turn); object 2 does not move while observed (no direction).
    // Clip 1: object 1 is missing from the second observed frame; object 2 leaves the image at horizon 2.
    int frames = 4;
    int[] ids = new int[2 * frames * PIXELS];
    int[][] one = {{0, 0}, {0, 3}, {1, 6}, {2, 9}};
    for (int t = 0; t < frames; t++) {
      square(ids, t, one[t][0], one[t][1], 1);
      square(ids, t, 8, 8, 2);
    }
    square(ids, frames, 0, 0, 1);
    square(ids, frames + 2, 0, 2, 1);
    square(ids, frames + 3, 0, 3, 1);
    square(ids, frames, 8, 0, 2);
    square(ids, frames + 1, 8, 1, 2);
    square(ids, frames + 2, 8, 2, 2);
    int[][] classes = Turns.classify(ids, 2, frames, 2, PIXELS, SIDE, Turns.DEFAULT_DEGREES);
    assertEquals(4, classes.length); // 2 clips x 2 horizons
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.STRAIGHT, Turns.UNKNOWN}, classes[0]);
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.STRAIGHT, Turns.UNKNOWN}, classes[1]);
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.UNKNOWN, Turns.STRAIGHT}, classes[2]);
    assertArrayEquals(new int[] {Turns.UNKNOWN, Turns.UNKNOWN, Turns.UNKNOWN}, classes[3]);
    // The same 18 degrees is a turn under a 10-degree limit.
    assertEquals(Turns.TURNED, Turns.classify(ids, 2, frames, 2, PIXELS, SIDE, 10)[0][1]);
  }

  @Test
  void rejectsTooFewObservedFramesAndMismatchedArrays() {
    int[] ids = new int[3 * PIXELS];
    assertThrows(IllegalArgumentException.class, () -> Turns.classify(ids, 1, 3, 1, PIXELS, SIDE, 40));
    assertThrows(IllegalArgumentException.class, () -> Turns.classify(ids, 1, 3, 3, PIXELS, SIDE, 40));
    assertThrows(IllegalArgumentException.class, () -> Turns.classify(ids, 1, 4, 2, PIXELS, SIDE, 40));
    assertThrows(IllegalArgumentException.class, () -> Turns.classify(ids, 1, 3, 2, PIXELS, 5, 40));
  }
}
