package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.framework.initializers.Glorot;
import org.tensorflow.framework.initializers.RandomUniform;
import org.tensorflow.framework.initializers.VarianceScaling;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Creates the model's variables with initial values from {@code tensorflow-framework}
 * initialisers. Every random initialiser takes an explicit seed, so that a graph built twice from
 * the same seeds starts from the same weights.
 */
public final class Initializers {
  private Initializers() {}

  /** Glorot-uniform (fan-in plus fan-out) weights, the usual choice for dense and conv kernels. */
  public static Variable<TFloat32> glorotUniform(Ops tf, String name, Shape shape, long seed) {
    Operand<TFloat32> init =
        new Glorot<TFloat32>(VarianceScaling.Distribution.UNIFORM, seed)
            .call(tf, tf.constant(shape), TFloat32.class);
    return tf.withName(name).variable(init);
  }

  /** Uniform weights in [lo, hi]. */
  public static Variable<TFloat32> uniform(
      Ops tf, String name, Shape shape, double lo, double hi, long seed) {
    Operand<TFloat32> init =
        new RandomUniform<TFloat32>(lo, hi, seed).call(tf, tf.constant(shape), TFloat32.class);
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
