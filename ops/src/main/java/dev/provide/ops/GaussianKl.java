package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The analytic KL divergence between diagonal Gaussians,
 * KL(N(mu_q, exp(logvar_q)) || N(mu_p, var_p)) =
 * 1/2 sum_d [log var_p - logvar_q + (exp(logvar_q) + (mu_q - mu_p)^2) / var_p - 1].
 */
public final class GaussianKl {
  private GaussianKl() {}

  /**
   * KL to a prior given by its mean and variance.
   *
   * @param muQ posterior mean [N, D]
   * @param logVarQ posterior log-variance [N, D]
   * @param muP prior mean [N, D]
   * @param varP prior variance [N, D], positive
   * @return [N], summed over D
   */
  public static Operand<TFloat32> diagonal(
      Ops tf,
      Operand<TFloat32> muQ,
      Operand<TFloat32> logVarQ,
      Operand<TFloat32> muP,
      Operand<TFloat32> varP) {
    Operand<TFloat32> varQ = tf.math.exp(logVarQ);
    Operand<TFloat32> ratio =
        tf.math.div(tf.math.add(varQ, tf.math.squaredDifference(muQ, muP)), varP);
    Operand<TFloat32> terms =
        tf.math.sub(
            tf.math.add(tf.math.sub(tf.math.log(varP), logVarQ), ratio), tf.constant(1f)); // [N, D]
    return tf.math.mul(tf.constant(0.5f), tf.sum(terms, tf.constant(1))); // [N]
  }

  /**
   * KL to the standard normal N(0, I): 1/2 sum_d [exp(logvar) + mu^2 - 1 - logvar].
   *
   * @return [N]
   */
  public static Operand<TFloat32> standardNormal(
      Ops tf, Operand<TFloat32> muQ, Operand<TFloat32> logVarQ) {
    Operand<TFloat32> terms =
        tf.math.sub(
            tf.math.add(tf.math.exp(logVarQ), tf.math.square(muQ)),
            tf.math.add(logVarQ, tf.constant(1f))); // [N, D]
    return tf.math.mul(tf.constant(0.5f), tf.sum(terms, tf.constant(1))); // [N]
  }
}
