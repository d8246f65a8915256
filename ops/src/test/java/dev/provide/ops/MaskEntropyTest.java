package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskEntropyTest {
  private static final int B = 2, K = 3, H = 2, W = 2;
  private static final long[] SHAPE = {B, K, H, W, 1};

  private static float[] entropy(float[] logits) {
    return Graphs.run(
            List.of(logits), List.of(SHAPE), (tf, in) -> List.of(MaskEntropy.fromLogits(tf, in.get(0))))
        .get(0)
        .values();
  }

  @Test
  void matchesPlainJava() {
    float[] logits = Graphs.normal(new Random(5), B * K * H * W, 2.0);
    float[] got = entropy(logits);
    for (int b = 0; b < B; b++) {
      double total = 0;
      for (int p = 0; p < H * W; p++) {
        double[] l = new double[K];
        for (int k = 0; k < K; k++) {
          l[k] = logits[(b * K + k) * H * W + p];
        }
        for (double m : Reference.softmax(l)) {
          total -= m * Math.log(m);
        }
      }
      assertEquals(total, got[b], 1e-4);
    }
  }

  @Test
  void uniformMasksHaveLogKPerPixelAndOneHotMasksZero() {
    float[] uniform = entropy(new float[B * K * H * W]);
    assertEquals(H * W * Math.log(K), uniform[0], 1e-4);
    float[] hard = new float[B * K * H * W];
    for (int i = 0; i < hard.length; i++) {
      hard[i] = (i / (H * W)) % K == 0 ? 80f : -80f;
    }
    assertEquals(0.0, entropy(hard)[0], 1e-6);
  }

  @Test
  void gradientMatchesFiniteDifferencesAndIsFiniteWhenSaturated() {
    GradientCheck.of()
        .input(Graphs.normal(new Random(6), B * K * H * W, 1.0), SHAPE)
        .check((tf, in) -> MaskEntropy.fromLogits(tf, in.get(0)));
    float[] hard = new float[B * K * H * W];
    for (int i = 0; i < hard.length; i++) {
      hard[i] = i % 2 == 0 ? 90f : -90f;
    }
    GradientCheck.of()
        .input(hard, SHAPE)
        .tolerance(Double.MAX_VALUE, 0)
        .check((tf, in) -> MaskEntropy.fromLogits(tf, in.get(0)));
  }
}
