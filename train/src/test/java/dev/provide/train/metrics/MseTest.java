package dev.provide.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MseTest {
  @Test
  void meanOfSquaredDifferences() {
    assertEquals((0.25 + 0 + 1 + 0.01) / 4, Mse.of(new float[] {0.5f, 1, 0, 0.1f}, new float[] {0, 1, 1, 0}), 1e-7);
    assertEquals(0.0, Mse.of(new float[] {0.3f, 0.3f}, new float[] {0.3f, 0.3f}));
  }

  @Test
  void rejectsMismatchedOrEmpty() {
    assertThrows(IllegalArgumentException.class, () -> Mse.of(new float[2], new float[3]));
    assertThrows(IllegalArgumentException.class, () -> Mse.of(new float[0], new float[0]));
  }
}
