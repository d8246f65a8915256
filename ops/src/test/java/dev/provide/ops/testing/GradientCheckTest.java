package dev.provide.ops.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The checker itself must be able to fail. */
class GradientCheckTest {
  @Test
  void acceptsACorrectGradient() {
    GradientCheck.of()
        .input(Graphs.normal(new Random(1), 6, 1.0), 2, 3)
        .check((tf, in) -> tf.math.mul(in.get(0), in.get(0)));
  }

  @Test
  void rejectsAWrongGradient() {
    // d/dx [x * stopGradient(x)] is reported as x by TensorFlow, but the true derivative is 2x.
    assertThrows(
        AssertionFailedError.class,
        () ->
            GradientCheck.of()
                .input(Graphs.uniform(new Random(2), 6, 0.5, 1.5), 2, 3)
                .check((tf, in) -> tf.math.mul(in.get(0), tf.stopGradient(in.get(0)))));
  }
}
