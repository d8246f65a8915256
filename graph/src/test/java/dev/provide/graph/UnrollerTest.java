package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class UnrollerTest {
  private static final int B = 2;

  /** One step's graph with its inputs as placeholders, and their values. */
  private static final class Fixture implements AutoCloseable {
    final Graph g = new Graph();
    final Session sess;
    final Unroller.Step step;
    final Placeholder<TFloat32> frame, lambda, h;
    final float[] x, lam, hv;
    final long[] lambdaShape;

    Fixture(ModelConfig c) {
      int s = c.imageSize(), k = c.slots(), d = c.latentSize(), l = c.lstmSize();
      Ops tf = Ops.create(g);
      frame = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(B, s, s, 3)));
      lambdaShape = new long[] {B * k, 2L * d};
      lambda = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(lambdaShape)));
      h = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(B * k, l)));
      Model model = Model.create(tf, c);
      Operand<TFloat32> eps =
          Unroller.Noise.STATELESS_NORMAL.draw(tf, tf.zeros(tf.constant(new int[] {B * k, d}), TFloat32.class), tf.constant(new long[] {3, 4}), 0, 0);
      step = new Unroller(model).step(tf, frame, lambda, lambda, h, model.prior().apply(tf, h), eps,
          new Unroller.Controls(tf.constant(2.5f), tf.constant(1f)));
      Random rnd = new Random(5);
      x = TrainingGraphTest.video(B, 1, s, 2);
      lam = new float[B * k * 2 * d];
      for (int i = 0; i < lam.length; i++) {
        lam[i] = (float) (0.5 * rnd.nextGaussian());
      }
      hv = new float[B * k * l];
      for (int i = 0; i < hv.length; i++) {
        hv[i] = (float) (0.3 * rnd.nextGaussian());
      }
      sess = new Session(g);
      sess.initialize();
    }

    /** Runs with the base inputs, optionally overriding one tensor, and fetches {@code outputs}. */
    float[][] run(Operand<TFloat32> override, float[] value, Operand<?>... outputs) {
      try (TFloat32 xt = Tensors.floats(x, frame.shape().asArray());
          TFloat32 lt = Tensors.floats(override == lambda ? value : lam, lambdaShape);
          TFloat32 ht = Tensors.floats(hv, h.shape().asArray());
          TFloat32 ov = override == null || override == lambda ? null : Tensors.floats(value, runShape(override))) {
        Session.Runner r = sess.runner().feed(frame, xt).feed(lambda, lt).feed(h, ht);
        if (ov != null) {
          r.feed(override, ov);
        }
        for (Operand<?> o : outputs) {
          r.fetch(o);
        }
        try (Result res = r.run()) {
          float[][] out = new float[outputs.length][];
          for (int i = 0; i < outputs.length; i++) {
            out[i] = Tensors.toFloats((TFloat32) res.get(i));
          }
          return out;
        }
      }
    }

    private long[] runShape(Operand<TFloat32> t) {
      long[] s = t.shape().asArray();
      s[0] = lambdaShape[0]; // the batch axis is dynamic in the graph: N = B * K
      return s;
    }

    @Override
    public void close() {
      sess.close();
      g.close();
    }
  }

  /** dL/dmu, dL/dlogits and dL/dlambda taken inside the graph, against central finite differences. */
  @Test
  void inGraphGradientsMatchFiniteDifferences() {
    try (Fixture f = new Fixture(TrainingGraphTest.tiny())) {
      float[][] base = f.run(null, null, f.step.means, f.step.logits, f.step.meansGradient, f.step.logitsGradient, f.step.lambdaGradient);
      check(f, f.step.means, base[0], base[2]);
      check(f, f.step.logits, base[1], base[3]);
      check(f, f.lambda, f.lam, base[4]);
    }
  }

  private static void check(Fixture f, Operand<TFloat32> target, float[] value, float[] analytic) {
    Random pick = new Random(1);
    double eps = 1e-2;
    int nonZero = 0;
    for (int c = 0; c < 12; c++) {
      int i = pick.nextInt(value.length);
      float[] plus = value.clone(), minus = value.clone();
      plus[i] += (float) eps;
      minus[i] -= (float) eps;
      double numeric =
          (f.run(target, plus, f.step.loss.total())[0][0] - f.run(target, minus, f.step.loss.total())[0][0])
              / ((double) plus[i] - minus[i]);
      assertTrue(Math.abs(numeric - analytic[i]) <= 0.03 * Math.abs(numeric) + 0.05,
          target.op().name() + " entry " + i + ": in-graph " + analytic[i] + ", finite differences " + numeric);
      nonZero += Math.abs(numeric) > 1e-3 ? 1 : 0;
    }
    assertTrue(nonZero > 0, "all checked derivatives were ~0: the check tested nothing");
  }
}
