package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LogSumExpTest {
  @Test
  void reducesAnyAxisWithAndWithoutKeepDims() {
    float[] x = {1000f, 1001f, -5f, 3f, 0f, -1000f};
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(x),
            List.of(new long[] {2, 3}),
            (tf, in) ->
                List.of(
                    LogSumExp.reduce(tf, in.get(0), 1, false),
                    LogSumExp.reduce(tf, in.get(0), 0, true),
                    LogSumExp.softmax(tf, in.get(0), 1)));
    assertArrayEquals(new long[] {2}, out.get(0).shape());
    assertArrayEquals(new long[] {1, 3}, out.get(1).shape());
    assertEquals(Reference.logSumExp(new double[] {1000, 1001, -5}), out.get(0).values()[0], 1e-3);
    assertEquals(Reference.logSumExp(new double[] {3, 0, -1000}), out.get(0).values()[1], 1e-4);
    assertEquals(Reference.logSumExp(new double[] {1000, 3}), out.get(1).values()[0], 1e-3);
    double[] sm = Reference.softmax(new double[] {1000, 1001, -5});
    for (int i = 0; i < 3; i++) {
      assertEquals(sm[i], out.get(2).values()[i], 1e-4); // float32 at 1000: ulp 6e-5
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    GradientCheck.of()
        .input(Graphs.normal(new Random(1), 12, 2.0), 3, 4)
        .check((tf, in) -> LogSumExp.reduce(tf, in.get(0), 1, false));
    GradientCheck.of()
        .input(Graphs.normal(new Random(2), 12, 2.0), 2, 3, 2)
        .check((tf, in) -> LogSumExp.logSoftmax(tf, in.get(0), 1));
  }
}
