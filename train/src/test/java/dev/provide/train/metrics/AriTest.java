package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.provide.train.metrics.Ari.Convention;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AriTest {
  private static final double EPS = 1e-12;

  @Test
  void publishedValues() {
    assertEquals(1.0, Ari.ari(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 1}), EPS);
    assertEquals(1.0, Ari.ari(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}), EPS);
    assertEquals(4.0 / 7, Ari.ari(new int[] {0, 0, 1, 2}, new int[] {0, 0, 1, 1}), EPS);
    assertEquals(4.0 / 7, Ari.ari(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}), EPS);
    assertEquals(0.0, Ari.ari(new int[] {0, 0, 0, 0}, new int[] {0, 1, 2, 3}), EPS);
    assertEquals(-0.5, Ari.ari(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}), EPS);
    assertEquals(8.0 / 33, Ari.ari(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2}), EPS);
  }

  /** Independent computation from the 2x2 pair-counting table, O(n^2). */
  private static double pairCounting(int[] t, int[] p) {
    double a = 0, b = 0, c = 0, d = 0;
    for (int i = 0; i < t.length; i++) {
      for (int j = i + 1; j < t.length; j++) {
        boolean sameT = t[i] == t[j], sameP = p[i] == p[j];
        if (sameT && sameP) a++;
        else if (sameT) b++;
        else if (sameP) c++;
        else d++;
      }
    }
    double den = (a + b) * (b + d) + (a + c) * (c + d);
    return den == 0 ? 1.0 : 2 * (a * d - b * c) / den;
  }

  @Test
  void agreesWithPairCountingOnRandomLabelings() {
    Random rnd = new Random(3);
    for (int trial = 0; trial < 200; trial++) {
      int n = 2 + rnd.nextInt(60);
      int kt = 1 + rnd.nextInt(5), kp = 1 + rnd.nextInt(5);
      int[] t = new int[n], p = new int[n];
      for (int i = 0; i < n; i++) {
        t[i] = rnd.nextInt(kt);
        p[i] = rnd.nextBoolean() ? t[i] % kp : rnd.nextInt(kp);
      }
      assertEquals(pairCounting(t, p), Ari.ari(t, p), 1e-9, "trial " + trial);
    }
  }

  @Test
  void invariantToRenamingAndLargeLabels() {
    int[] t = {0, 0, 1, 1, 2, 2, 2, 0};
    int[] p = {3, 3, 1, 1, 0, 0, 1, 3};
    int[] renamed = {9, 9, 5_000_000, 5_000_000, 7, 7, 5_000_000, 9};
    assertEquals(Ari.ari(t, p), Ari.ari(t, renamed), EPS);
    assertEquals(Ari.foregroundAri(t, p), Ari.foregroundAri(t, renamed), EPS);
  }

  @Test
  void handCheckedImageWhereAriAndForegroundAriDiffer() {
    // A 4 x 4 frame: background (0) on the left half, ball 1 top right, ball 2 bottom right.
    int[] truth = {
      0, 0, 1, 1,
      0, 0, 1, 1,
      0, 0, 2, 2,
      0, 0, 2, 2
    };
    // The model separates the balls perfectly but splits the background over both slots 0, 2.
    int[] pred = {
      0, 0, 1, 1,
      0, 0, 1, 1,
      2, 2, 3, 3,
      2, 2, 3, 3
    };
    // F-ARI sees only the 8 ball pixels: a perfect split -> 1.
    assertEquals(1.0, Ari.foregroundAri(truth, pred), EPS);
    // ARI by hand: cells 4,4,4,4 -> sum C = 4*6 = 24; rows 8,4,4 -> 28+6+6 = 40;
    // cols 4,4,4,4 -> 24; total C(16,2) = 120; expected = 40*24/120 = 8; max = 32.
    // ARI = (24 - 8) / (32 - 8) = 2/3.
    assertEquals(2.0 / 3, Ari.ari(truth, pred), EPS);
    assertNotEquals(Ari.ari(truth, pred), Ari.foregroundAri(truth, pred));
  }

  @Test
  void zeroOverZeroConventions() {
    int[] oneObject = {0, 1, 1, 1};
    int[] oneCluster = {2, 2, 2, 2};
    assertEquals(1.0, Ari.foregroundAri(oneObject, oneCluster), EPS);
    assertEquals(1.0, Ari.foregroundAri(oneObject, oneCluster, Convention.DEEPMIND), EPS);
    // No foreground at all: 0/0 -> 1 by default, an error under DeepMind's convention.
    int[] allBackground = {0, 0, 0};
    int[] any = {0, 1, 2};
    assertEquals(1.0, Ari.foregroundAri(allBackground, any), EPS);
    assertThrows(ArithmeticException.class, () -> Ari.foregroundAri(allBackground, any, Convention.DEEPMIND));
    // Every pixel its own cluster on both sides: also 0/0.
    assertEquals(1.0, Ari.ari(new int[] {0, 1, 2}, new int[] {2, 0, 1}), EPS);
    assertThrows(
        ArithmeticException.class,
        () -> Ari.ari(new int[] {0, 1, 2}, new int[] {2, 0, 1}, Convention.DEEPMIND));
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class, () -> Ari.ari(new int[] {0, 1}, new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> Ari.ari(new int[] {0, -1}, new int[] {0, 0}));
  }

  @Test
  void argmaxOverSlots() {
    // K = 3 slots, 4 pixels, slot-major.
    float[] masks = {
      0.1f, 0.7f, 0.2f, 0.4f,
      0.8f, 0.2f, 0.2f, 0.2f,
      0.1f, 0.1f, 0.6f, 0.4f
    };
    assertArrayEquals(new int[] {1, 0, 2, 0}, Ari.argmaxSlots(masks, 3));
    assertThrows(IllegalArgumentException.class, () -> Ari.argmaxSlots(masks, 5));
  }
}
