package dev.provide.graph;

import dev.provide.ops.Activation;
import dev.provide.ops.Dense;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The conditional prior {@code p(z_t | z_<t) = N(mean, variance)} with (mean, variance) an MLP of the
 * previous frame's temporal hidden state (MODEL.md section 2): Dense(L -> L, ReLU), then a mean
 * head Dense(L -> D) and a variance head Dense(L -> D) + softplus. At the first frame h is zero,
 * so the prior there is a learned constant.
 *
 * <p>By default the softplus output is the variance (which can fall below 1); with the reference
 * option it is used as a log-variance, as the reference code does (variance = exp(softplus) >= 1).
 */
public final class ConditionalPrior {
  /** Keeps the variance away from zero (the clean form; the log-variance form is >= 1). */
  static final float VARIANCE_FLOOR = 1e-4f;

  /**
   * A diagonal Gaussian.
   *
   * @param mean [N, D]
   * @param variance [N, D], positive
   */
  public record Gaussian(Operand<TFloat32> mean, Operand<TFloat32> variance) {}

  private final Dense hidden;
  private final Dense meanHead;
  private final Dense varianceHead;
  private final boolean logVarianceHead;

  private ConditionalPrior(Dense hidden, Dense meanHead, Dense varianceHead, boolean logVarianceHead) {
    this.hidden = hidden;
    this.meanHead = meanHead;
    this.varianceHead = varianceHead;
    this.logVarianceHead = logVarianceHead;
  }

  /** Creates the prior's variables under {@code prior/}. */
  public static ConditionalPrior create(Ops tf, ModelConfig c) {
    Ops s = tf.withSubScope("prior");
    int l = c.lstmSize();
    return new ConditionalPrior(
        Dense.create(s, "hidden", l, l, Activation.RELU, c.initialisation(), c.seed()),
        Dense.create(s, "mean", l, c.latentSize(), Activation.NONE, c.initialisation(), c.seed()),
        Dense.create(s, "variance", l, c.latentSize(), Activation.SOFTPLUS, c.initialisation(), c.seed()),
        c.reference().priorLogVariance());
  }

  /**
   * The prior given the temporal hidden state.
   *
   * @param h [N, L]
   */
  public Gaussian apply(Ops tf, Operand<TFloat32> h) {
    Operand<TFloat32> a = hidden.apply(tf, h); // [N, L]
    Operand<TFloat32> mean = meanHead.apply(tf, a); // [N, D]
    Operand<TFloat32> head = varianceHead.apply(tf, a); // [N, D], softplus >= 0
    if (logVarianceHead) {
      return new Gaussian(mean, tf.math.exp(head)); // >= 1: needs no floor
    }
    return new Gaussian(mean, tf.math.add(head, tf.constant(VARIANCE_FLOOR)));
  }
}
