package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates the model's variables with their initial values. Every random initialiser takes an
 * explicit seed (TensorFlow's stateless random ops), so that a graph built twice from the same
 * seeds starts from the same weights.
 *
 * <p>Written here rather than taken from {@code tensorflow-framework} 1.1.0, whose uniform
 * variance-scaling (Glorot) initialiser draws from [0, limit] instead of [-limit, limit]: every
 * weight positive, which saturates LSTM gates at once (measured; see InitializersTest).
 */
public final class Initializers {
  private Initializers() {}

  /** How a layer's kernel and bias start. */
  public enum Scheme {
    /** Glorot-uniform kernels and zero biases (this project's default). */
    GLOROT,
    /**
     * PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d} (the reference code's):
     * kernels and biases uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)].
     */
    PYTORCH
  }

  /** A kernel of rank >= 2 ([..., in, out]) under {@code scheme}. */
  public static Variable<TFloat32> kernel(Ops tf, String name, Shape shape, Scheme scheme, long seed) {
    if (scheme == Scheme.GLOROT) {
      return glorotUniform(tf, name, shape, seed);
    }
    double bound = 1 / Math.sqrt(fanIn(shape));
    return uniform(tf, name, shape, -bound, bound, seed);
  }

  /**
   * A bias under {@code scheme}: {@code value} everywhere for Glorot, uniform in
   * [-1/sqrt(fanIn), 1/sqrt(fanIn)] for PyTorch's scheme.
   */
  public static Variable<TFloat32> bias(Ops tf, String name, Shape shape, long fanIn, Scheme scheme, float value, long seed) {
    if (scheme == Scheme.GLOROT) {
      return constant(tf, name, shape, value);
    }
    double bound = 1 / Math.sqrt(fanIn);
    return uniform(tf, name, shape, -bound, bound, seed);
  }

  /** The fan-in of a kernel [..., in, out]: its receptive field times its input channels. */
  static long fanIn(Shape shape) {
    long receptive = 1;
    for (int i = 0; i < shape.numDimensions() - 2; i++) {
      receptive *= shape.get(i);
    }
    return receptive * shape.get(shape.numDimensions() - 2);
  }

  /** Glorot-uniform (fan-in plus fan-out) weights, the usual choice for dense and conv kernels. */
  public static Variable<TFloat32> glorotUniform(Ops tf, String name, Shape shape, long seed) {
    if (shape.numDimensions() < 2) {
      throw new IllegalArgumentException("Glorot initialisation needs a kernel of rank >= 2, got " + shape);
    }
    long receptive = 1;
    for (int i = 0; i < shape.numDimensions() - 2; i++) {
      receptive *= shape.get(i);
    }
    long fanIn = receptive * shape.get(shape.numDimensions() - 2);
    long fanOut = receptive * shape.get(shape.numDimensions() - 1);
    double limit = Math.sqrt(6.0 / (fanIn + fanOut));
    return uniform(tf, name, shape, -limit, limit, seed);
  }

  /** Uniform weights in [lo, hi]. */
  public static Variable<TFloat32> uniform(
      Ops tf, String name, Shape shape, double lo, double hi, long seed) {
    if (!(hi > lo)) {
      throw new IllegalArgumentException("uniform initialisation needs lo < hi, got " + lo + ", " + hi);
    }
    Operand<TFloat32> u =
        tf.random.statelessRandomUniform(tf.constant(shape), tf.constant(new long[] {seed, 0x5eedL}), TFloat32.class);
    Operand<TFloat32> init = tf.math.add(tf.math.mul(u, tf.constant((float) (hi - lo))), tf.constant((float) lo));
    return tf.withName(name).variable(init);
  }

  /** Values uniform in [-bound, bound] (not a variable: to combine into an initial value). */
  public static Operand<TFloat32> uniformValues(Ops tf, Shape shape, double bound, long seed) {
    Operand<TFloat32> u =
        tf.random.statelessRandomUniform(tf.constant(shape), tf.constant(new long[] {seed, 0x5eedL}), TFloat32.class);
    return tf.math.add(tf.math.mul(u, tf.constant((float) (2 * bound))), tf.constant((float) -bound));
  }

  /** A variable filled with one value (biases, layer-norm scales). */
  public static Variable<TFloat32> constant(Ops tf, String name, Shape shape, float value) {
    Operand<TFloat32> init = tf.fill(tf.constant(shape), tf.constant(value));
    return tf.withName(name).variable(init);
  }

  /**
   * A stable per-layer seed derived from a base seed and the layer's name, so that adding a layer
   * does not change the initial weights of the others.
   */
  public static long seedFor(long baseSeed, String name) {
    long h = 1125899906842597L ^ baseSeed;
    for (int i = 0; i < name.length(); i++) {
      h = 31 * h + name.charAt(i);
    }
    // TensorFlow seeds are taken modulo 2^31 by some kernels; keep them positive and distinct.
    return (h ^ (h >>> 29)) & 0x7fffffffL;
  }
}
