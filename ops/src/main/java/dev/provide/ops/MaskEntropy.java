package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The entropy of the per-pixel distribution over slots, -sum_k m^k log m^k, summed over pixels
 * (the "entropy prior" of the loss). Computed from the logits with a stable log-softmax, so it
 * stays finite (and 0) for one-hot masks.
 */
public final class MaskEntropy {
  private MaskEntropy() {}

  /**
   * @param maskLogits [B, K, H, W, 1]
   * @return [B]
   */
  public static Operand<TFloat32> fromLogits(Ops tf, Operand<TFloat32> maskLogits) {
    return fromLogMasks(tf, LogSumExp.logSoftmax(tf, maskLogits, 1));
  }

  /**
   * @param logMasks log m^k, [B, K, H, W, 1]
   * @return [B]
   */
  public static Operand<TFloat32> fromLogMasks(Ops tf, Operand<TFloat32> logMasks) {
    Operand<TFloat32> terms = tf.math.mul(tf.math.exp(logMasks), logMasks); // [B, K, H, W, 1]
    return tf.math.neg(tf.sum(terms, tf.constant(new int[] {1, 2, 3, 4}))); // [B]
  }
}
