package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.MixtureLikelihood.Form;
import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import dev.provide.ops.testing.Graphs.Fetched;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MixtureLikelihoodTest {
  private static final int B = 2, K = 3, H = 2, W = 3, C = 3;
  private static final double SIGMA = 0.3;
  /** One per slot, as with a background slot (slot 0) of a smaller sigma. */
  private static final double[] PER_SLOT = {0.2, 0.3, 0.45};
  private static final long[] IMAGE = {B, H, W, C};
  private static final long[] MEANS = {B, K, H, W, C};
  private static final long[] LOGITS = {B, K, H, W, 1};

  private static int px(int b, int i, int j) {
    return (b * H + i) * W + j;
  }

  private static int slot(int b, int k, int i, int j) {
    return ((b * K + k) * H + i) * W + j;
  }

  /** Plain-Java quantities of one pixel. */
  private static final class PixelReference {
    final double logLikelihood;
    final double[] posterior = new double[K];
    final double[] leaveOneOut = new double[K];
    final double[] reconstruction = new double[C];

    PixelReference(float[] x, float[] mu, float[] logits, int b, int i, int j, Form form, boolean norm, double[] sigmas) {
      double[] l = new double[K];
      for (int k = 0; k < K; k++) {
        l[k] = logits[slot(b, k, i, j)];
      }
      double[] m = Reference.softmax(l);
      double[][] logN = new double[K][C];
      for (int k = 0; k < K; k++) {
        for (int c = 0; c < C; c++) {
          logN[k][c] = Reference.logNormal(x[px(b, i, j) * C + c], mu[slot(b, k, i, j) * C + c], sigmas[k], norm);
          reconstruction[c] += m[k] * mu[slot(b, k, i, j) * C + c];
        }
      }
      double[] joint = new double[K];
      for (int k = 0; k < K; k++) {
        joint[k] = Math.log(m[k]);
        for (int c = 0; c < C; c++) {
          joint[k] += logN[k][c];
        }
      }
      double[] post = Reference.softmax(joint);
      System.arraycopy(post, 0, posterior, 0, K);
      if (form == Form.JOINT) {
        logLikelihood = Reference.logSumExp(joint);
        for (int k = 0; k < K; k++) {
          double num = 0, den = 0;
          for (int q = 0; q < K; q++) {
            if (q != k) {
              num += Math.exp(joint[q]);
              den += m[q];
            }
          }
          leaveOneOut[k] = Math.log(num / den);
        }
      } else {
        double ll = 0;
        for (int c = 0; c < C; c++) {
          double s = 0;
          for (int k = 0; k < K; k++) {
            s += m[k] * Math.exp(logN[k][c]);
          }
          ll += Math.log(s);
        }
        logLikelihood = ll;
        for (int k = 0; k < K; k++) {
          double loo = 0;
          for (int c = 0; c < C; c++) {
            double num = 0, den = 0;
            for (int q = 0; q < K; q++) {
              if (q != k) {
                num += m[q] * Math.exp(logN[q][c]);
                den += m[q];
              }
            }
            loo += Math.log(num / den);
          }
          leaveOneOut[k] = loo;
        }
      }
    }
  }

  private static List<Fetched> run(float[] x, float[] mu, float[] logits, Form form, boolean norm) {
    return run(x, mu, logits, form, norm, new double[] {SIGMA});
  }

  private static List<Fetched> run(float[] x, float[] mu, float[] logits, Form form, boolean norm, double[] sigmas) {
    return Graphs.run(
        List.of(x, mu, logits),
        List.of(IMAGE, MEANS, LOGITS),
        (tf, in) -> {
          MixtureLikelihood m = MixtureLikelihood.build(tf, in.get(0), in.get(1), in.get(2), sigmas, form, norm);
          return List.of(
              m.pixelLogLikelihood(),
              m.logLikelihood(),
              m.posterior(),
              m.leaveOneOut(),
              m.reconstruction(),
              m.masks());
        });
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void matchesPlainJava(Form form) {
    for (double[] sigmas : new double[][] {{SIGMA, SIGMA, SIGMA}, PER_SLOT})
    for (boolean norm : new boolean[] {true, false}) {
      Random rnd = new Random(11);
      float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
      float[] mu = Graphs.uniform(rnd, B * K * H * W * C, 0, 1);
      float[] logits = Graphs.normal(rnd, B * K * H * W, 2.0);
      List<Fetched> out = sigmas[0] == SIGMA ? run(x, mu, logits, form, norm) : run(x, mu, logits, form, norm, sigmas);
      assertArrayEquals(new long[] {B, H, W, 1}, out.get(0).shape());
      assertArrayEquals(new long[] {B}, out.get(1).shape());
      assertArrayEquals(LOGITS, out.get(2).shape());
      assertArrayEquals(LOGITS, out.get(3).shape());
      assertArrayEquals(IMAGE, out.get(4).shape());
      for (int b = 0; b < B; b++) {
        double total = 0;
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < W; j++) {
            PixelReference r = new PixelReference(x, mu, logits, b, i, j, form, norm, sigmas);
            total += r.logLikelihood;
            assertEquals(r.logLikelihood, out.get(0).values()[px(b, i, j)], 1e-4);
            for (int k = 0; k < K; k++) {
              assertEquals(r.posterior[k], out.get(2).values()[slot(b, k, i, j)], 1e-5);
              assertEquals(r.leaveOneOut[k], out.get(3).values()[slot(b, k, i, j)], 1e-4);
            }
            for (int c = 0; c < C; c++) {
              assertEquals(r.reconstruction[c], out.get(4).values()[px(b, i, j) * C + c], 1e-5);
            }
          }
        }
        assertEquals(total, out.get(1).values()[b], 1e-3);
      }
    }
  }

  @Test
  void normalisingConstantShiftsByAConstant() {
    Random rnd = new Random(12);
    float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
    float[] mu = Graphs.uniform(rnd, B * K * H * W * C, 0, 1);
    float[] logits = Graphs.normal(rnd, B * K * H * W, 1.0);
    float[] with = run(x, mu, logits, Form.JOINT, true).get(0).values();
    float[] without = run(x, mu, logits, Form.JOINT, false).get(0).values();
    double shift = C * (-Math.log(SIGMA) - 0.5 * Math.log(2 * Math.PI));
    for (int i = 0; i < with.length; i++) {
      assertEquals(shift, with[i] - without[i], 1e-4);
    }
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void gradientsOfLikelihoodAndLeaveOneOut(Form form) {
    gradients(form, new double[] {SIGMA});
    gradients(form, PER_SLOT);
  }

  private static void gradients(Form form, double[] sigmas) {
    Random rnd = new Random(13);
    float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
    GradientCheck.of()
        .input(Graphs.uniform(rnd, B * K * H * W * C, 0, 1), MEANS)
        .input(Graphs.normal(rnd, B * K * H * W, 1.5), LOGITS)
        .check(
            (tf, in) -> {
              MixtureLikelihood m =
                  MixtureLikelihood.build(
                      tf, tf.constant(Shape.of(IMAGE), DataBuffers.of(x)),
                      in.get(0), in.get(1), sigmas, form, true);
              return tf.concat(
                  List.of(
                      tf.reshape(m.pixelLogLikelihood(), tf.constant(new int[] {-1})),
                      tf.reshape(m.leaveOneOut(), tf.constant(new int[] {-1})),
                      tf.reshape(m.posterior(), tf.constant(new int[] {-1})),
                      tf.reshape(m.reconstruction(), tf.constant(new int[] {-1}))),
                  tf.constant(0));
            });
  }

  @Test
  void gradientWithRespectToTheImage() {
    Random rnd = new Random(14);
    float[] mu = Graphs.uniform(rnd, B * K * H * W * C, 0, 1);
    float[] logits = Graphs.normal(rnd, B * K * H * W, 1.0);
    GradientCheck.of()
        .input(Graphs.uniform(rnd, B * H * W * C, 0, 1), IMAGE)
        .check(
            (tf, in) ->
                MixtureLikelihood.build(
                        tf, in.get(0),
                        tf.constant(Shape.of(MEANS), DataBuffers.of(mu)),
                        tf.constant(Shape.of(LOGITS), DataBuffers.of(logits)),
                        SIGMA, Form.JOINT, true)
                    .pixelLogLikelihood());
  }

  @ParameterizedTest
  @EnumSource(Form.class)
  void extremeInputsGiveFiniteValuesAndGradients(Form form) {
    // Masks saturated to one-hot (logits +-60) and means far from the image (sigma units ~ 30).
    Random rnd = new Random(15);
    float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
    float[] mu = Graphs.uniform(rnd, B * K * H * W * C, -8, 9);
    float[] logits = new float[B * K * H * W];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = rnd.nextBoolean() ? 60f : -60f;
    }
    List<Fetched> out = run(x, mu, logits, form, true);
    for (Fetched f : out) {
      for (float v : f.values()) {
        assertTrue(Float.isFinite(v), "non-finite value " + v);
      }
    }
    // Gradients stay finite; finite differences are not meaningful at saturation, so only
    // finiteness is asserted here (the checker asserts it before comparing).
    GradientCheck.of()
        .input(mu, MEANS)
        .input(logits, LOGITS)
        .tolerance(Double.MAX_VALUE, 0)
        .maxChecksPerInput(3)
        .check(
            (tf, in) -> {
              MixtureLikelihood m =
                  MixtureLikelihood.build(
                      tf, tf.constant(Shape.of(IMAGE), DataBuffers.of(x)),
                      in.get(0), in.get(1), SIGMA, form, true);
              return tf.concat(
                  List.of(
                      tf.reshape(m.pixelLogLikelihood(), tf.constant(new int[] {-1})),
                      tf.reshape(m.leaveOneOut(), tf.constant(new int[] {-1}))),
                  tf.constant(0));
            });
  }

  @Test
  void posteriorSumsToOneAndReferencePosteriorIsASoftmaxOfTheKernels() {
    Random rnd = new Random(16);
    float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
    float[] mu = Graphs.uniform(rnd, B * K * H * W * C, 0, 1);
    float[] logits = Graphs.normal(rnd, B * K * H * W, 1.0);
    List<Fetched> out =
        Graphs.run(
            List.of(x, mu, logits),
            List.of(IMAGE, MEANS, LOGITS),
            (tf, in) -> {
              MixtureLikelihood m = MixtureLikelihood.build(tf, in.get(0), in.get(1), in.get(2), SIGMA, Form.JOINT, true);
              return List.of(m.posterior(), m.referencePosterior(), m.logMasks(), m.componentLogDensity());
            });
    float[] ref = out.get(1).values();
    float[] logN = out.get(3).values();
    double constant = -Math.log(SIGMA) - 0.5 * Math.log(2 * Math.PI);
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          double sum = 0, refSum = 0;
          double[] lik = new double[K];
          for (int k = 0; k < K; k++) {
            sum += out.get(0).values()[slot(b, k, i, j)];
            refSum += ref[slot(b, k, i, j)];
            // The reference's posterior: a softmax of the Gaussian kernels, without masks or constant.
            double l = 0;
            for (int c = 0; c < C; c++) {
              l += logN[slot(b, k, i, j) * C + c] - constant;
            }
            lik[k] = Math.exp(l);
          }
          assertEquals(1.0, sum, 1e-5);
          assertEquals(1.0, refSum, 1e-5);
          double[] expected = Reference.softmax(lik);
          for (int k = 0; k < K; k++) {
            assertEquals(expected[k], ref[slot(b, k, i, j)], 1e-5);
          }
        }
      }
    }
  }

  @Test
  void fromMasksEqualsTheMixtureBuiltFromTheirLogits() {
    Random rnd = new Random(17);
    float[] x = Graphs.uniform(rnd, B * H * W * C, 0, 1);
    float[] mu = Graphs.uniform(rnd, B * K * H * W * C, 0, 1);
    float[] logits = Graphs.normal(rnd, B * K * H * W, 2.0);
    for (Form form : Form.values()) {
      List<Fetched> out =
          Graphs.run(
              List.of(x, mu, logits),
              List.of(IMAGE, MEANS, LOGITS),
              (tf, in) -> {
                MixtureLikelihood a = MixtureLikelihood.build(tf, in.get(0), in.get(1), in.get(2), SIGMA, form, true);
                Operand<TFloat32> masks = tf.nn.softmax(tf.linalg.transpose(in.get(2), tf.constant(new int[] {0, 2, 3, 4, 1})));
                MixtureLikelihood b =
                    MixtureLikelihood.fromMasks(
                        tf, in.get(0), in.get(1), tf.linalg.transpose(masks, tf.constant(new int[] {0, 4, 1, 2, 3})), SIGMA, form, true);
                return List.of(a.pixelLogLikelihood(), b.pixelLogLikelihood(), a.masks(), b.masks(), a.posterior(), b.posterior());
              });
      for (int pair = 0; pair < 3; pair++) {
        float[] want = out.get(2 * pair).values(), got = out.get(2 * pair + 1).values();
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), form + " output " + pair + " at " + i);
        }
      }
    }
  }

  @Test
  void rejectsBadArguments() {
    IllegalArgumentException e = rejected(new double[] {0.0});
    assertTrue(e.getMessage().contains("sigma"), e.getMessage());
    IllegalArgumentException count = rejected(new double[] {0.1, 0.2});
    assertTrue(count.getMessage().contains("one per slot (3)"), count.getMessage());
    assertThrows(
        IllegalStateException.class,
        () ->
            Graphs.run(
                List.of(new float[B * H * W * C], new float[B * H * W * C], new float[B * H * W]),
                List.of(IMAGE, new long[] {B, 1, H, W, C}, new long[] {B, 1, H, W, 1}),
                (tf, in) ->
                    List.of(
                        MixtureLikelihood.build(tf, in.get(0), in.get(1), in.get(2), 0.3, Form.JOINT, true)
                            .leaveOneOut())));
  }

  /** What building a mixture with these sigmas throws. */
  private static IllegalArgumentException rejected(double[] sigmas) {
    List<float[]> zeros = List.of(new float[B * H * W * C], new float[B * K * H * W * C], new float[B * K * H * W]);
    return assertThrows(
        IllegalArgumentException.class,
        () ->
            Graphs.run(
                zeros,
                List.of(IMAGE, MEANS, LOGITS),
                (tf, in) ->
                    List.of(MixtureLikelihood.build(tf, in.get(0), in.get(1), in.get(2), sigmas, Form.JOINT, true).logLikelihood())));
  }
}
