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

  @Test
  void pytorchSchemeDrawsKernelsAndBiasesWithinOneOverRootFanIn() {
    // Dense 64 -> 160 (fan-in 64), conv 3x3x8 -> 16 (fan-in 72), and a 2D-LSTM 40 -> 32 whose one
    // bias is the sum of three nn.Linear biases (fan-ins 40, 32, 32).
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(),
            List.of(),
            (tf, in) -> {
              Dense d = Dense.create(tf, "d", 64, 160, Activation.NONE, Initializers.Scheme.PYTORCH, 5);
              Conv2d c = Conv2d.create(tf, "c", 3, 8, 16, 1, Activation.NONE, Initializers.Scheme.PYTORCH, 5);
              Lstm2dCell l = Lstm2dCell.create(tf, "l", 40, 32, Initializers.Scheme.PYTORCH, 5);
              return List.of(d.kernel(), d.bias(), c.kernel(), c.bias(), l.variables().get(0), l.variables().get(3));
            });
    assertUniform(out.get(0).values(), -1 / 8.0, 1 / 8.0);
    assertUniform(out.get(2).values(), -1 / Math.sqrt(72), 1 / Math.sqrt(72));
    assertUniform(out.get(4).values(), -1 / Math.sqrt(40), 1 / Math.sqrt(40));
    for (float b : out.get(1).values()) {
      assertTrue(Math.abs(b) <= 1 / 8.0 && b != 0, "dense bias " + b);
    }
    for (float b : out.get(3).values()) {
      assertTrue(Math.abs(b) <= 1 / Math.sqrt(72) && b != 0, "conv bias " + b);
    }
    double bound = 1 / Math.sqrt(40) + 2 / Math.sqrt(32);
    double meanSquare = 0;
    for (float b : out.get(5).values()) {
      assertTrue(Math.abs(b) <= bound, "lstm bias " + b);
      meanSquare += b * b / out.get(5).values().length;
    }
    // A sum of three independent uniforms: variance (1/40 + 2/32) / 3.
    assertEquals((1 / 40.0 + 2 / 32.0) / 3, meanSquare, 0.35 * (1 / 40.0 + 2 / 32.0) / 3);
  }
}
