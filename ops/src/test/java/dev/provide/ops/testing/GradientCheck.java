package dev.provide.ops.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.provide.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Checks TensorFlow's gradient of a sub-graph against central finite differences.
 *
 * <p>The scalar checked is L = sum_i w_i y_i with fixed random weights w, so every output element
 * takes part. The finite differences are formed in double precision from the fetched outputs,
 * which keeps float32 rounding in the sum out of the estimate. The sub-graph may create variables:
 * they are initialised once and stay fixed.
 */
public final class GradientCheck {
  private final List<Shape> shapes = new ArrayList<>();
  private final List<float[]> values = new ArrayList<>();
  private double epsilon = 1e-3;
  private double absoluteTolerance = 2e-3;
  private double relativeTolerance = 2e-2;
  private int maxChecksPerInput = 40;
  private long seed = 7;

  private GradientCheck() {}

  /** Starts a check. */
  public static GradientCheck of() {
    return new GradientCheck();
  }

  /** Adds an input with its value. */
  public GradientCheck input(float[] value, long... shape) {
    Shape s = Shape.of(shape);
    if (s.size() != value.length) {
      throw new IllegalArgumentException("input shape " + s + " does not match " + value.length);
    }
    shapes.add(s);
    values.add(value.clone());
    return this;
  }

  /** The finite-difference step. */
  public GradientCheck epsilon(double eps) {
    this.epsilon = eps;
    return this;
  }

  /** Passes when |analytic - numeric| <= abs + rel * max(|analytic|, |numeric|). */
  public GradientCheck tolerance(double abs, double rel) {
    this.absoluteTolerance = abs;
    this.relativeTolerance = rel;
    return this;
  }

  /** At most this many entries of each input are perturbed (chosen at random). */
  public GradientCheck maxChecksPerInput(int n) {
    this.maxChecksPerInput = n;
    return this;
  }

  /**
   * Runs the check, failing the test on a mismatch.
   *
   * @param f builds the output from the input placeholders
   * @return the largest absolute difference seen
   */
  public double check(BiFunction<Ops, List<Operand<TFloat32>>, Operand<TFloat32>> f) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> inputs = new ArrayList<>();
      for (int i = 0; i < shapes.size(); i++) {
        inputs.add(tf.withName("input" + i).placeholder(TFloat32.class, Placeholder.shape(shapes.get(i))));
      }
      Operand<TFloat32> y = f.apply(tf, inputs);
      Placeholder<TFloat32> weights = tf.withName("weights").placeholder(TFloat32.class);
      Operand<TFloat32> loss =
          tf.sum(tf.reshape(tf.math.mul(y, weights), tf.constant(new int[] {-1})), tf.constant(0));
      Output<?>[] xs = new Output<?>[inputs.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = inputs.get(i).asOutput();
      }
      Output<?>[] grads = g.addGradients(loss.asOutput(), xs);
      try (Session s = new Session(g)) {
        s.initialize();
        double[] w;
        long[] yShape;
        try (Feeds feeds = new Feeds();
            Result r = feeds.all(s.runner(), inputs, values, shapes).fetch(y).run()) {
          TFloat32 out = (TFloat32) r.get(0);
          yShape = out.shape().asArray();
          float[] yv = Tensors.toFloats(out);
          Random rnd = new Random(seed);
          w = new double[yv.length];
          for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextDouble() * 2 - 1);
          }
          for (float v : yv) {
            if (!Float.isFinite(v)) {
              fail("the checked sub-graph produced a non-finite value " + v);
            }
          }
        }
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) {
          wf[i] = (float) w[i];
        }
        double worst = 0;
        for (int in = 0; in < inputs.size(); in++) {
          float[] analytic;
          try (Feeds feeds = new Feeds();
              Result r =
                  feeds.all(s.runner(), inputs, values, shapes)
                      .feed(weights, feeds.hold(Tensors.floats(wf, yShape)))
                      .fetch(grads[in])
                      .run()) {
            analytic = Tensors.toFloats((TFloat32) r.get(0));
          }
          for (float a : analytic) {
            assertTrue(Float.isFinite(a), "non-finite gradient " + a + " for input " + in);
          }
          Random pick = new Random(seed + in);
          int n = values.get(in).length;
          int checks = Math.min(n, maxChecksPerInput);
          for (int c = 0; c < checks; c++) {
            int idx = n <= maxChecksPerInput ? c : pick.nextInt(n);
            double numeric = numericDerivative(s, inputs, y, in, idx, w);
            double diff = Math.abs(analytic[idx] - numeric);
            worst = Math.max(worst, diff);
            double allowed =
                absoluteTolerance
                    + relativeTolerance * Math.max(Math.abs(analytic[idx]), Math.abs(numeric));
            if (!(diff <= allowed)) {
              fail(
                  String.format(
                      "gradient mismatch at input %d entry %d: analytic %.6g, numeric %.6g", in, idx,
                      analytic[idx], numeric));
            }
          }
        }
        return worst;
      }
    }
  }

  private double numericDerivative(
      Session s, List<Operand<TFloat32>> inputs, Operand<TFloat32> y, int in, int idx, double[] w) {
    List<float[]> plus = copyValues();
    List<float[]> minus = copyValues();
    float base = values.get(in)[idx];
    plus.get(in)[idx] = (float) (base + epsilon);
    minus.get(in)[idx] = (float) (base - epsilon);
    double step = (double) plus.get(in)[idx] - (double) minus.get(in)[idx];
    return (weighted(s, inputs, y, plus, w) - weighted(s, inputs, y, minus, w)) / step;
  }

  private double weighted(
      Session s, List<Operand<TFloat32>> inputs, Operand<TFloat32> y, List<float[]> vals, double[] w) {
    try (Feeds feeds = new Feeds();
        Result r = feeds.all(s.runner(), inputs, vals, shapes).fetch(y).run()) {
      float[] yv = Tensors.toFloats((TFloat32) r.get(0));
      double sum = 0;
      for (int i = 0; i < yv.length; i++) {
        sum += w[i] * yv[i];
      }
      return sum;
    }
  }

  private List<float[]> copyValues() {
    List<float[]> copy = new ArrayList<>();
    for (float[] v : values) {
      copy.add(v.clone());
    }
    return copy;
  }

}
