package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Layer normalisation: (x - mean) / sqrt(var + eps) with the moments taken over chosen axes,
 * optionally followed by a learned per-channel scale and offset on the last axis.
 */
public final class LayerNorm {
  /** The variance floor, as in common layer-norm implementations. */
  public static final float DEFAULT_EPSILON = 1e-5f;

  private final int channels;
  private final float epsilon;
  private final Variable<TFloat32> scale;
  private final Variable<TFloat32> offset;

  private LayerNorm(int channels, float epsilon, Variable<TFloat32> scale, Variable<TFloat32> offset) {
    this.channels = channels;
    this.epsilon = epsilon;
    this.scale = scale;
    this.offset = offset;
  }

  /**
   * A layer norm with a learned scale (initially 1) and offset (initially 0) of size
   * {@code channels}, applied along the last axis, as {@code name/scale} and {@code name/offset}.
   */
  public static LayerNorm learned(Ops tf, String name, int channels) {
    Preconditions.positive(channels, "LayerNorm channels");
    Ops scope = tf.withSubScope(name);
    return new LayerNorm(
        channels,
        DEFAULT_EPSILON,
        Initializers.constant(scope, "scale", Shape.of(channels), 1f),
        Initializers.constant(scope, "offset", Shape.of(channels), 0f));
  }

  /**
   * Applies the learned normalisation.
   *
   * @param x any shape whose last axis has {@code channels} entries
   * @param axes the axes the moments are taken over (negative counts from the end)
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, int... axes) {
    Preconditions.lastDimension(x, channels, "LayerNorm");
    Operand<TFloat32> normalised = normalize(tf, x, epsilon, axes);
    return tf.math.add(tf.math.mul(normalised, scale), offset);
  }

  /**
   * Parameter-free normalisation over {@code axes}, with {@link #DEFAULT_EPSILON}.
   *
   * @param x any shape
   * @return the same shape, zero mean and unit variance over {@code axes}
   */
  public static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, int... axes) {
    return normalize(tf, x, DEFAULT_EPSILON, axes);
  }

  /** Parameter-free normalisation over {@code axes} with variance floor {@code epsilon}. */
  public static Operand<TFloat32> normalize(
      Ops tf, Operand<TFloat32> x, float epsilon, int... axes) {
    if (axes.length == 0) {
      throw new IllegalArgumentException("LayerNorm needs at least one axis");
    }
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(axes), Mean.keepDims(true));
    Operand<TFloat32> variance =
        tf.math.mean(tf.math.squaredDifference(x, mean), tf.constant(axes), Mean.keepDims(true));
    Operand<TFloat32> inverseStd = tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon)));
    return tf.math.mul(tf.math.sub(x, mean), inverseStd);
  }
}
