package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerNormTest {
  /** Plain-Java layer norm of x [N, M] over axis 1 (the M values of a row). */
  private static double[] reference(float[] x, int n, int m) {
    double[] out = new double[x.length];
    for (int r = 0; r < n; r++) {
      double mean = 0, var = 0;
      for (int j = 0; j < m; j++) {
        mean += x[r * m + j];
      }
      mean /= m;
      for (int j = 0; j < m; j++) {
        var += (x[r * m + j] - mean) * (x[r * m + j] - mean);
      }
      var /= m;
      for (int j = 0; j < m; j++) {
        out[r * m + j] = (x[r * m + j] - mean) / Math.sqrt(var + LayerNorm.DEFAULT_EPSILON);
      }
    }
    return out;
  }

  @Test
  void normalisesOverSpatialAndChannelAxes() {
    // [2, 3, 3, 2] normalised over axes 1, 2, 3: each example's 18 values.
    float[] x = Graphs.normal(new Random(3), 2 * 18, 3.0);
    for (int i = 0; i < x.length; i++) {
      x[i] += 5;
    }
    float[] y =
        Graphs.run(
                List.of(x),
                List.of(new long[] {2, 3, 3, 2}),
                (tf, in) -> List.of(LayerNorm.normalize(tf, in.get(0), 1, 2, 3)))
            .get(0)
            .values();
    double[] expected = reference(x, 2, 18);
    for (int i = 0; i < y.length; i++) {
      assertEquals(expected[i], y[i], 1e-5);
    }
  }

  @Test
  void learnedScaleAndOffsetStartAsIdentityAndApplyPerChannel() {
    float[] x = Graphs.normal(new Random(4), 4 * 3, 2.0);
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(x),
            List.of(new long[] {4, 3}),
            (tf, in) -> {
              LayerNorm ln = LayerNorm.learned(tf, "ln", 3);
              var y0 = ln.apply(tf, in.get(0), 1);
              // A second application with a hand-set affine, to check broadcasting on the last axis.
              var scaled =
                  tf.math.add(
                      tf.math.mul(
                          LayerNorm.normalize(tf, in.get(0), 1), tf.constant(new float[] {1, 2, 3})),
                      tf.constant(new float[] {0, 1, 0}));
              return List.of(y0, scaled);
            });
    double[] expected = reference(x, 4, 3);
    for (int i = 0; i < x.length; i++) {
      assertEquals(expected[i], out.get(0).values()[i], 1e-5);
      int c = i % 3;
      assertEquals(expected[i] * (c + 1) + (c == 1 ? 1 : 0), out.get(1).values()[i], 1e-5);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    GradientCheck.of()
        .input(Graphs.normal(new Random(5), 2 * 2 * 2 * 3, 1.0), 2, 2, 2, 3)
        .check((tf, in) -> LayerNorm.learned(tf, "ln", 3).apply(tf, in.get(0), 1, 2, 3));
  }

  @Test
  void constantInputStaysFinite() {
    // Zero variance: the epsilon floor keeps the output at 0 and the gradient finite.
    float[] x = new float[8];
    java.util.Arrays.fill(x, 2.5f);
    GradientCheck.of()
        .input(x, 2, 4)
        .epsilon(1e-4)
        .tolerance(5e-2, 5e-2)
        .check((tf, in) -> LayerNorm.normalize(tf, in.get(0), 1));
  }

  @Test
  void needsAnAxis() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            Graphs.run(
                List.of(new float[2]),
                List.of(new long[] {2}),
                (tf, in) -> List.of(LayerNorm.normalize(tf, in.get(0)))));
  }
}
