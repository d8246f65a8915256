package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateDecayTest {
  @Test
  void flatUntilTheStartThenLinearToTheFinalFactor() {
    LearningRateDecay d = new LearningRateDecay(0.75, 0.2);
    assertEquals(1.0, d.factor(0), 0);
    assertEquals(1.0, d.factor(0.75), 0);
    assertEquals(0.6, d.factor(0.875), 1e-12); // half way down from 1 to 0.2
    assertEquals(0.2, d.factor(1), 1e-12);
    assertEquals(0.2, d.factor(1.5), 1e-12, "past the budget it stays at the final factor");
    assertEquals(1.0, d.factor(-1), 0);
  }

  @Test
  void fromZeroDecaysFromTheFirstStep() {
    LearningRateDecay d = new LearningRateDecay(0, 0.05);
    assertEquals(1.0, d.factor(0), 0);
    assertEquals(1 - 0.95 * 0.25, d.factor(0.25), 1e-12);
    assertEquals(0.05, d.factor(1), 1e-12);
  }

  @Test
  void noneNeverChangesTheRate() {
    for (double p = 0; p <= 1.2; p += 0.1) {
      assertEquals(1.0, LearningRateDecay.NONE.factor(p), 0);
    }
  }

  @Test
  void rejectsBadSettingsWithTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new LearningRateDecay(-0.1, 0.1));
    assertTrue(e.getMessage().contains("-0.1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LearningRateDecay(1.2, 0.1));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateDecay(0.5, 0));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateDecay(0.5, 1.5));
    assertThrows(IllegalArgumentException.class, () -> new LearningRateDecay(Double.NaN, 0.5));
  }
}
