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
