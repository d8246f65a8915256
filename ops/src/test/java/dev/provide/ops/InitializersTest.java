package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.testing.Graphs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

class InitializersTest {
  private static void assertUniform(float[] v, double lo, double hi) {
    double mean = 0, var = 0;
    for (float x : v) {
      assertTrue(x >= lo && x <= hi, x + " outside [" + lo + ", " + hi + "]");
      mean += x;
    }
    mean /= v.length;
    for (float x : v) {
      var += (x - mean) * (x - mean);
    }
    var /= v.length;
    double width = hi - lo;
    assertEquals((lo + hi) / 2, mean, 0.05 * width, "mean of U(lo, hi)");
    assertEquals(width * width / 12, var, 0.1 * width * width / 12, "variance of U(lo, hi)");
  }

  @Test
  void glorotUniformIsSymmetricWithTheRightVariance() {
    // Dense [64, 160]: limit sqrt(6 / 224); conv [3, 3, 8, 16]: fans 72 and 144.
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(),
            List.of(),
            (tf, in) ->
                List.of(
                    Initializers.glorotUniform(tf, "a", Shape.of(64, 160), 3),
                    Initializers.glorotUniform(tf, "b", Shape.of(3, 3, 8, 16), 4)));
    double l1 = Math.sqrt(6.0 / (64 + 160));
    assertUniform(out.get(0).values(), -l1, l1);
    double l2 = Math.sqrt(6.0 / (72 + 144));
    assertUniform(out.get(1).values(), -l2, l2);
  }

  @Test
  void uniformRange() {
    float[] v =
        Graphs.run(List.of(), List.of(), (tf, in) -> List.of(Initializers.uniform(tf, "u", Shape.of(4000), -0.5, 0.5, 9)))
            .get(0)
            .values();
    assertUniform(v, -0.5, 0.5);
  }
}
