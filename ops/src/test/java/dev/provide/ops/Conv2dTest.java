package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import dev.provide.ops.testing.Graphs.Fetched;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class Conv2dTest {
  @ParameterizedTest
  @CsvSource({"3,1,5,5", "3,2,5,6", "1,1,4,4", "3,2,6,6"})
  void matchesPlainJavaSamePadding(int k, int stride, int h, int w) {
    int n = 2, cin = 3, cout = 4;
    Random rnd = new Random(k * 100 + stride * 10 + h);
    float[] x = Graphs.normal(rnd, n * h * w * cin, 1.0);
    List<Fetched> out =
        Graphs.run(
            List.of(x),
            List.of(new long[] {n, h, w, cin}),
            (tf, in) -> {
              Conv2d c = Conv2d.create(tf, "conv", k, cin, cout, stride, Activation.ELU, 3);
              return List.of(c.apply(tf, in.get(0)), c.kernel(), c.bias());
            });
    float[] kernel = out.get(1).values();
    int oh = (h + stride - 1) / stride, ow = (w + stride - 1) / stride;
    assertArrayEquals(new long[] {n, oh, ow, cout}, out.get(0).shape());
    int padH = Math.max((oh - 1) * stride + k - h, 0) / 2;
    int padW = Math.max((ow - 1) * stride + k - w, 0) / 2;
    float[] y = out.get(0).values();
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int o = 0; o < cout; o++) {
            double acc = out.get(2).values()[o];
            for (int di = 0; di < k; di++) {
              for (int dj = 0; dj < k; dj++) {
                int yi = i * stride + di - padH, xj = j * stride + dj - padW;
                if (yi < 0 || yi >= h || xj < 0 || xj >= w) {
                  continue;
                }
                for (int c = 0; c < cin; c++) {
                  acc +=
                      (double) x[((b * h + yi) * w + xj) * cin + c]
                          * kernel[((di * k + dj) * cin + c) * cout + o];
                }
              }
            }
            double expected = Reference.activation(Activation.ELU, acc);
            assertEquals(expected, y[((b * oh + i) * ow + j) * cout + o], 1e-4);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"1", "2"})
  void gradientMatchesFiniteDifferences(int stride) {
    Random rnd = new Random(9);
    GradientCheck.of()
        .input(Graphs.normal(rnd, 2 * 5 * 5 * 2, 1.0), 2, 5, 5, 2)
        .check(
            (tf, in) ->
                Conv2d.create(tf, "c", 3, 2, 3, stride, Activation.TANH, 4).apply(tf, in.get(0)));
  }

  @Test
  void rejectsWrongChannelsAndRank() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Conv2d c = Conv2d.create(tf, "c", 3, 2, 3, 1, Activation.NONE, 4);
      assertThrows(
          IllegalArgumentException.class,
          () -> c.apply(tf, tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, 4, 4, 3)))));
      assertThrows(
          IllegalArgumentException.class,
          () -> c.apply(tf, tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4, 4, 2)))));
    }
  }
}
