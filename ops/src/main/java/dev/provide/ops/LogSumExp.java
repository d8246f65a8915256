package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * A numerically stable log-sum-exp and log-softmax over one axis: the maximum is subtracted
 * before exponentiating (with a stop-gradient on it; the result does not depend on it).
 *
 * <p>Written here because {@code tensorflow-framework}'s {@code reduceLogSumExp} fails to build
 * without {@code keepDims} in 1.1.0.
 */
public final class LogSumExp {
  private LogSumExp() {}

  /**
   * log(sum(exp(x), axis)).
   *
   * @param keepDims keep the reduced axis with size 1
   */
  public static Operand<TFloat32> reduce(
      Ops tf, Operand<TFloat32> x, int axis, boolean keepDims) {
    Operand<TFloat32> max =
        tf.stopGradient(tf.max(x, tf.constant(axis), Max.keepDims(true))); // reduced axis = 1
    Operand<TFloat32> sum =
        tf.sum(tf.math.exp(tf.math.sub(x, max)), tf.constant(axis), Sum.keepDims(true));
    Operand<TFloat32> lse = tf.math.add(tf.math.log(sum), max); // reduced axis = 1
    if (keepDims) {
      return lse;
    }
    return tf.squeeze(lse, Squeeze.axis(java.util.List.of((long) axis)));
  }

  /** log(softmax(x, axis)) = x - logsumexp(x, axis): finite even for very confident logits. */
  public static Operand<TFloat32> logSoftmax(Ops tf, Operand<TFloat32> x, int axis) {
    return tf.math.sub(x, reduce(tf, x, axis, true));
  }

  /** softmax(x, axis) along any axis (TensorFlow's own op works on the last axis only). */
  public static Operand<TFloat32> softmax(Ops tf, Operand<TFloat32> x, int axis) {
    return tf.math.exp(logSoftmax(tf, x, axis));
  }
}
