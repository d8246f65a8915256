package dev.provide.train.data.importers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CocoRleTest {
  @Test
  void handEncodedStrings() {
    // runs 1, 2, 3 over a 2 x 3 mask, column-major: 0 | 1 1 | 0 0 0.
    assertArrayEquals(new boolean[] {false, true, false, true, false, false}, CocoRle.decode("123", 2, 3));
    // "5:1H": 5, 10, 1, then 2 written as a difference -8 to the run two before (10).
    assertArrayEquals(new long[] {5, 10, 1, 2}, CocoRle.runs("5:1H"));
    boolean[] m = CocoRle.decode("5:1H", 3, 6);
    int ones = 0;
    for (boolean b : m) {
      ones += b ? 1 : 0;
    }
    org.junit.jupiter.api.Assertions.assertEquals(12, ones);
    // Column-major: pixels 5..14 are ones; pixel 5 is (row 2, col 1).
    org.junit.jupiter.api.Assertions.assertTrue(m[2 * 6 + 1]);
    org.junit.jupiter.api.Assertions.assertFalse(m[1 * 6 + 1]);
  }

  @Test
  void badStringsAreClearErrors() {
    assertThrows(IllegalArgumentException.class, () -> CocoRle.decode("12", 2, 3)); // covers 3 of 6
    assertThrows(IllegalArgumentException.class, () -> CocoRle.decode("9", 2, 3)); // exceeds
    assertThrows(IllegalArgumentException.class, () -> CocoRle.decode("1 2", 2, 3)); // bad char
  }
}
