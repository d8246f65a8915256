package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianKlTest {
  private static final int N = 3, D = 4;

  private static double reference(double muQ, double logVarQ, double muP, double varP) {
    double varQ = Math.exp(logVarQ);
    return 0.5 * (Math.log(varP) - logVarQ + (varQ + (muQ - muP) * (muQ - muP)) / varP - 1);
  }

  @Test
  void matchesPlainJava() {
    Random rnd = new Random(3);
    float[] muQ = Graphs.normal(rnd, N * D, 1.0);
    float[] lvQ = Graphs.normal(rnd, N * D, 1.0);
    float[] muP = Graphs.normal(rnd, N * D, 1.0);
    float[] varP = Graphs.uniform(rnd, N * D, 0.1, 3);
    List<Graphs.Fetched> out =
        Graphs.run(
            List.of(muQ, lvQ, muP, varP),
            List.of(new long[] {N, D}, new long[] {N, D}, new long[] {N, D}, new long[] {N, D}),
            (tf, in) ->
                List.of(
                    GaussianKl.diagonal(tf, in.get(0), in.get(1), in.get(2), in.get(3)),
                    GaussianKl.standardNormal(tf, in.get(0), in.get(1))));
    for (int n = 0; n < N; n++) {
      double kl = 0, klStd = 0;
      for (int d = 0; d < D; d++) {
        int i = n * D + d;
        kl += reference(muQ[i], lvQ[i], muP[i], varP[i]);
        klStd += reference(muQ[i], lvQ[i], 0, 1);
      }
      assertEquals(kl, out.get(0).values()[n], 1e-4);
      assertEquals(klStd, out.get(1).values()[n], 1e-4);
      assertTrue(out.get(0).values()[n] >= 0);
    }
  }

  @Test
  void zeroForIdenticalDistributions() {
    float[] mu = {0.3f, -1f};
    float[] lv = {(float) Math.log(2), (float) Math.log(0.5)};
    float[] var = {2f, 0.5f};
    float kl =
        Graphs.run(
                List.of(mu, lv, var),
                List.of(new long[] {1, 2}, new long[] {1, 2}, new long[] {1, 2}),
                (tf, in) -> List.of(GaussianKl.diagonal(tf, in.get(0), in.get(1), in.get(0), in.get(2))))
            .get(0)
            .values()[0];
    assertEquals(0.0, kl, 1e-6);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random rnd = new Random(4);
    GradientCheck.of()
        .input(Graphs.normal(rnd, N * D, 1.0), N, D)
        .input(Graphs.normal(rnd, N * D, 0.5), N, D)
        .input(Graphs.normal(rnd, N * D, 1.0), N, D)
        .input(Graphs.uniform(rnd, N * D, 0.5, 2), N, D)
        .check((tf, in) -> GaussianKl.diagonal(tf, in.get(0), in.get(1), in.get(2), in.get(3)));
    GradientCheck.of()
        .input(Graphs.normal(rnd, N * D, 1.0), N, D)
        .input(Graphs.normal(rnd, N * D, 0.5), N, D)
        .check((tf, in) -> GaussianKl.standardNormal(tf, in.get(0), in.get(1)));
  }

  @Test
  void extremeLogVariancesStayFinite() {
    float[] mu = {50f, -50f, 0f, 0f};
    float[] lv = {-30f, 20f, -30f, 20f};
    GradientCheck.of()
        .input(mu, 1, 4)
        .input(lv, 1, 4)
        .tolerance(Double.MAX_VALUE, 0)
        .check((tf, in) -> GaussianKl.standardNormal(tf, in.get(0), in.get(1)));
  }
}
