package dev.provide.train.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KeptAreaSegmentationTest {
  private static final int K = 3, PIXELS = 10;

  /** One frame's masks [K, PIXELS] from each pixel's slot, with {@code confidence} on it and the rest shared. */
  private static float[] hard(int[] slotOf, float confidence) {
    float[] m = new float[K * PIXELS];
    for (int q = 0; q < PIXELS; q++) {
      for (int k = 0; k < K; k++) {
        m[k * PIXELS + q] = k == slotOf[q] ? confidence : (1 - confidence) / (K - 1);
      }
    }
    return m;
  }

  /** The slot each pixel of one one-hot frame [K, PIXELS] went to. */
  private static int[] slots(float[] oneHot, int frame) {
    int[] out = new int[PIXELS];
    for (int q = 0; q < PIXELS; q++) {
      int count = 0;
      for (int k = 0; k < K; k++) {
        float v = oneHot[frame * K * PIXELS + k * PIXELS + q];
        if (v == 1f) {
          out[q] = k;
          count++;
        } else {
          assertEquals(0f, v);
        }
      }
      assertEquals(1, count, "pixel " + q + " is in " + count + " slots");
    }
    return out;
  }

  @Test
  void aFadedObjectKeepsItsObservedAreaAtItsMostProbablePixels() {
    // Last observed frame: slot 1 holds pixels 5-7, slot 2 pixels 0-1, the background slot 0 the rest.
    float[] observed = hard(new int[] {2, 2, 0, 0, 0, 1, 1, 1, 0, 0}, 0.9f);
    // Predicted: slot 1 has faded below the background everywhere (0.4 at 6-8, 0.3 at 5), so the
    // argmax loses it; slot 2 is confident at 1-2.
    float[] predicted = new float[K * PIXELS];
    for (int q = 0; q < PIXELS; q++) {
      float one = q >= 6 && q <= 8 ? 0.4f : q == 5 ? 0.3f : 0.05f;
      float two = q == 1 || q == 2 ? 0.9f : 0.05f;
      predicted[PIXELS + q] = one;
      predicted[2 * PIXELS + q] = two;
      predicted[q] = 1 - one - two;
    }
    float[] out = KeptAreaSegmentation.of(predicted, observed, 1, 1, 1, K, PIXELS);
    assertArrayEquals(new int[] {0, 2, 2, 0, 0, 0, 1, 1, 1, 0}, slots(out, 0));
  }

  @Test
  void aContestedPixelGoesToTheMoreProbableSlotAndTheOtherTakesItsNext() {
    float[] observed = hard(new int[] {1, 2, 0, 0, 0, 0, 0, 0, 0, 0}, 0.9f); // one pixel each
    float[] predicted = new float[K * PIXELS];
    for (int q = 0; q < PIXELS; q++) {
      float one = q == 4 ? 0.5f : 0.01f;
      float two = q == 4 ? 0.4f : q == 5 ? 0.3f : 0.01f;
      predicted[PIXELS + q] = one;
      predicted[2 * PIXELS + q] = two;
      predicted[q] = 1 - one - two;
    }
    int[] got = slots(KeptAreaSegmentation.of(predicted, observed, 1, 1, 1, K, PIXELS), 0);
    assertEquals(1, got[4]);
    assertEquals(2, got[5]);
    assertEquals(8, java.util.Arrays.stream(got).filter(s -> s == 0).count());
  }

  @Test
  void theBackgroundIsTheLargestSlotOfEachSequenceAndEveryHorizonKeepsTheAreas() {
    // Two sequences, two observed and two predicted frames; in the second sequence slot 2 is the background.
    float[] observed = new float[2 * 2 * K * PIXELS];
    int[][] last = {{0, 0, 0, 0, 0, 0, 1, 1, 2, 2}, {2, 2, 2, 2, 2, 2, 2, 0, 1, 1}};
    for (int b = 0; b < 2; b++) {
      System.arraycopy(hard(last[b], 0.8f), 0, observed, (b * 2 + 1) * K * PIXELS, K * PIXELS);
      System.arraycopy(hard(new int[PIXELS], 0.8f), 0, observed, b * 2 * K * PIXELS, K * PIXELS); // the first frame does not count
    }
    float[] predicted = new float[2 * 2 * K * PIXELS];
    java.util.Random rnd = new java.util.Random(3);
    for (int f = 0; f < 4; f++) {
      for (int q = 0; q < PIXELS; q++) {
        float a = rnd.nextFloat(), c = rnd.nextFloat(), e = rnd.nextFloat(), sum = a + c + e;
        predicted[f * K * PIXELS + q] = a / sum;
        predicted[f * K * PIXELS + PIXELS + q] = c / sum;
        predicted[f * K * PIXELS + 2 * PIXELS + q] = e / sum;
      }
    }
    float[] out = KeptAreaSegmentation.of(predicted, observed, 2, 2, 2, K, PIXELS);
    int[][] want = {{6, 2, 2}, {1, 2, 7}}; // pixels per slot: the objects' observed areas, the background the rest
    for (int b = 0; b < 2; b++) {
      for (int h = 0; h < 2; h++) {
        int[] got = slots(out, b * 2 + h);
        for (int k = 0; k < K; k++) {
          final int slot = k;
          assertEquals(want[b][k], java.util.Arrays.stream(got).filter(s -> s == slot).count(), "sequence " + b + " horizon " + h + " slot " + k);
        }
      }
    }
  }

  @Test
  void masksOfTheWrongSizeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> KeptAreaSegmentation.of(new float[K * PIXELS], new float[K * PIXELS + 1], 1, 1, 1, K, PIXELS));
    assertThrows(IllegalArgumentException.class, () -> KeptAreaSegmentation.of(new float[K * PIXELS], new float[K * PIXELS], 1, 1, 2, K, PIXELS));
  }
}
