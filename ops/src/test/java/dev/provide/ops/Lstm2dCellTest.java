package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.provide.ops.Lstm2dCell.State;
import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import dev.provide.ops.testing.Graphs.Fetched;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Lstm2dCellTest {
  private static final int N = 3, IN = 4, H = 5;

  @Test
  void matchesTheEquationsInPlainJava() {
    Random rnd = new Random(7);
    float[] x = Graphs.normal(rnd, N * IN, 1.0);
    float[] ht = Graphs.normal(rnd, N * H, 0.5);
    float[] ct = Graphs.normal(rnd, N * H, 1.0);
    float[] hr = Graphs.normal(rnd, N * H, 0.5);
    float[] cr = Graphs.normal(rnd, N * H, 1.0);
    List<Fetched> out =
        Graphs.run(
            List.of(x, ht, ct, hr, cr),
            List.of(new long[] {N, IN}, new long[] {N, H}, new long[] {N, H}, new long[] {N, H}, new long[] {N, H}),
            (tf, in) -> {
              Lstm2dCell cell = Lstm2dCell.create(tf, "lstm", IN, H, 13);
              State s =
                  cell.apply(
                      tf, in.get(0), new State(in.get(1), in.get(2)), new State(in.get(3), in.get(4)));
              var v = cell.variables();
              return List.of(s.h(), s.c(), v.get(0), v.get(1), v.get(2), v.get(3));
            });
    float[] wx = out.get(2).values(), wt = out.get(3).values(), wr = out.get(4).values();
    float[] b = out.get(5).values();
    for (int j = 0; j < H; j++) {
      assertEquals(Lstm2dCell.FORGET_BIAS, b[H + j]);
      assertEquals(0f, b[j]);
    }
    for (int n = 0; n < N; n++) {
      double[] a = new double[5 * H];
      for (int o = 0; o < 5 * H; o++) {
        double v = b[o];
        for (int i = 0; i < IN; i++) {
          v += (double) x[n * IN + i] * wx[i * 5 * H + o];
        }
        for (int i = 0; i < H; i++) {
          v += (double) ht[n * H + i] * wt[i * 5 * H + o] + (double) hr[n * H + i] * wr[i * 5 * H + o];
        }
        a[o] = v;
      }
      for (int j = 0; j < H; j++) {
        double ig = Reference.sigmoid(a[j]);
        double fg = Reference.sigmoid(a[H + j]);
        double og = Reference.sigmoid(a[2 * H + j]);
        double gg = Reference.sigmoid(a[3 * H + j]);
        double cand = Math.tanh(a[4 * H + j]);
        double c = fg * (gg * ct[n * H + j] + (1 - gg) * cr[n * H + j]) + ig * cand;
        double h = og * Math.tanh(c);
        assertEquals(c, out.get(1).values()[n * H + j], 1e-5);
        assertEquals(h, out.get(0).values()[n * H + j], 1e-5);
      }
    }
  }

  @Test
  void gradientsWithRespectToInputAndBothStates() {
    Random rnd = new Random(8);
    GradientCheck.of()
        .input(Graphs.normal(rnd, 2 * IN, 1.0), 2, IN)
        .input(Graphs.normal(rnd, 2 * H, 0.5), 2, H)
        .input(Graphs.normal(rnd, 2 * H, 1.0), 2, H)
        .input(Graphs.normal(rnd, 2 * H, 0.5), 2, H)
        .input(Graphs.normal(rnd, 2 * H, 1.0), 2, H)
        .check(
            (tf, in) -> {
              Lstm2dCell cell = Lstm2dCell.create(tf, "lstm", IN, H, 3);
              State s =
                  cell.apply(
                      tf, in.get(0), new State(in.get(1), in.get(2)), new State(in.get(3), in.get(4)));
              return tf.concat(List.of(s.h(), s.c()), tf.constant(1));
            });
  }

  @Test
  void zeroStateHasTheBatchOfItsReference() {
    List<Fetched> out =
        Graphs.run(
            List.of(new float[6 * 2]),
            List.of(new long[] {6, 2}),
            (tf, in) -> List.of(Lstm2dCell.create(tf, "l", 2, H, 1).zeroState(tf, in.get(0)).h()));
    assertArrayEquals(new long[] {6, H}, out.get(0).shape());
    for (float v : out.get(0).values()) {
      assertEquals(0f, v);
    }
  }
}
