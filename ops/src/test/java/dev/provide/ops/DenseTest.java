package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import dev.provide.ops.testing.Graphs.Fetched;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class DenseTest {
  @Test
  void matchesPlainJavaForEveryActivation() {
    Random rnd = new Random(1);
    float[] x = Graphs.normal(rnd, 3 * 4, 1.0);
    for (Activation act : Activation.values()) {
      List<Fetched> out =
          Graphs.run(
              List.of(x),
              List.of(new long[] {3, 4}),
              (tf, in) -> {
                Dense d = Dense.create(tf, "dense", 4, 5, act, 42, 0.25f);
                return List.of(d.apply(tf, in.get(0)), d.kernel(), d.bias());
              });
      float[] y = out.get(0).values();
      float[] w = out.get(1).values();
      float[] b = out.get(2).values();
      assertArrayEquals(new long[] {3, 5}, out.get(0).shape());
      for (float v : b) {
        assertEquals(0.25f, v);
      }
      for (int n = 0; n < 3; n++) {
        for (int o = 0; o < 5; o++) {
          double a = b[o];
          for (int i = 0; i < 4; i++) {
            a += (double) x[n * 4 + i] * w[i * 5 + o];
          }
          assertEquals(Reference.activation(act, a), y[n * 5 + o], 1e-5, act + " at " + n + "," + o);
        }
      }
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Random rnd = new Random(2);
    GradientCheck.of()
        .input(Graphs.normal(rnd, 2 * 3, 1.0), 2, 3)
        .check((tf, in) -> Dense.create(tf, "d", 3, 4, Activation.ELU, 5).apply(tf, in.get(0)));
  }

  @Test
  void sameSeedSameWeightsOtherSeedOtherWeights() {
    float[] a = kernel(11);
    float[] b = kernel(11);
    float[] c = kernel(12);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    double bound = Math.sqrt(6.0 / (4 + 6));
    for (float v : a) {
      assertTrue(Math.abs(v) <= bound + 1e-6, "Glorot-uniform bound " + bound + " exceeded: " + v);
    }
  }

  private static float[] kernel(long seed) {
    return Graphs.run(
            List.of(),
            List.of(),
            (tf, in) -> List.of(Dense.create(tf, "d", 4, 6, Activation.NONE, seed).kernel()))
        .get(0)
        .values();
  }

  @Test
  void wrongInputWidthIsAClearError() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Dense d = Dense.create(tf, "d", 3, 4, Activation.NONE, 1);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 5)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.apply(tf, x));
      assertTrue(e.getMessage().contains("expects 3"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Dense.create(tf, "e", 0, 4, Activation.NONE, 1));
    }
  }
}
