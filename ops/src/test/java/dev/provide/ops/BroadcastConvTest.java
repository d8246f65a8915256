package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BroadcastConvTest {
  @ParameterizedTest
  @CsvSource({"1,5,6", "3,5,6", "3,4,4", "5,7,5"})
  void equalsTheConvolutionOfTheMaterialisedBroadcast(int k, int h, int w) {
    int n = 3, m = 4, f = 6;
    float[] v = Graphs.normal(new Random(k * 7 + h), n * m, 1.0);
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(v),
            List.of(new long[] {n, m}),
            (tf, in) -> {
              Conv2d conv = Conv2d.create(tf, "c", k, m + 2, f, 1, Activation.ELU, 5);
              return List.of(
                  BroadcastConv.apply(tf, conv, in.get(0), h, w),
                  conv.apply(tf, SpatialBroadcast.broadcast(tf, in.get(0), h, w)));
            });
    assertArrayEquals(out.get(1).shape(), out.get(0).shape());
    for (int i = 0; i < out.get(0).values().length; i++) {
      assertEquals(out.get(1).values()[i], out.get(0).values()[i], 1e-5);
    }
  }

  @ParameterizedTest
  @CsvSource({"1", "3"})
  void gradientMatchesFiniteDifferences(int k) {
    GradientCheck.of()
        .input(Graphs.normal(new Random(3), 2 * 3, 1.0), 2, 3)
        .check((tf, in) -> BroadcastConv.apply(tf, Conv2d.create(tf, "c", k, 5, 4, 1, Activation.TANH, 2), in.get(0), 4, 5));
  }
}
