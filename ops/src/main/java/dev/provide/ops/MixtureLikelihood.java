package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * The spatial Gaussian mixture likelihood of MODEL.md section 1: every pixel is explained by K
 * slots with mixing weights m^k = softmax_k(mask logits) and Gaussian components N(x; mu^k,
 * sigma_k^2) of fixed variances: one for all slots, or a smaller one for a background slot.
 *
 * <p>Two forms: {@link Form#JOINT} mixes the joint density of a pixel's channels (the clean
 * form), {@link Form#PER_CHANNEL} mixes each colour channel separately and sums the per-channel
 * log-likelihoods (the reference code's form). Every quantity is computed in log space with a
 * stable log-sum-exp, so very confident masks and far-off means give finite values and
 * gradients.
 *
 * <p>Shapes: B examples, K slots, H x W pixels, C channels. Quantities are built on first use.
 */
public final class MixtureLikelihood {
  /** How the mixture treats the channels of a pixel. */
  public enum Form {
    /** log sum_k m^k prod_c N(x_c; mu_c^k, sigma^2). */
    JOINT,
    /** sum_c log sum_k m^k N(x_c; mu_c^k, sigma^2). */
    PER_CHANNEL
  }

  /** The smallest mask whose logarithm {@link #fromMasks} takes. */
  public static final float MASK_FLOOR = 1e-30f;

  /** Added to excluded terms of a leave-one-out sum: exp of it is exactly 0 in float32. */
  private static final float EXCLUDED = -1e30f;

  private final Ops tf;
  private final Operand<TFloat32> logMasks; // [B, K, H, W, 1]
  private final Operand<TFloat32> componentLogDensity; // [B, K, H, W, C]
  private final Operand<TFloat32> means; // [B, K, H, W, C]
  private final Form form;
  private final int slots;
  private final Operand<TFloat32> logKernel; // [B, K, H, W, C], the log density without its constant

  private Operand<TFloat32> masks;
  private Operand<TFloat32> logJoint;
  private Operand<TFloat32> pixelLogLikelihood;
  private Operand<TFloat32> posterior;

  private MixtureLikelihood(
      Ops tf,
      Operand<TFloat32> logMasks,
      Operand<TFloat32> componentLogDensity,
      Operand<TFloat32> logKernel,
      Operand<TFloat32> means,
      Form form,
      int slots,
      Operand<TFloat32> masks) {
    this.tf = tf;
    this.logMasks = logMasks;
    this.logKernel = logKernel;
    this.masks = masks;
    this.componentLogDensity = componentLogDensity;
    this.means = means;
    this.form = form;
    this.slots = slots;
  }

  /**
   * Builds the mixture.
   *
   * @param image the observed frame x, [B, H, W, C]
   * @param means the slot means mu^k, [B, K, H, W, C]
   * @param maskLogits the mask logits l^k, [B, K, H, W, 1]
   * @param sigma the standard deviation of every component
   * @param normalised include the Gaussian's normalising constant -log(sigma sqrt(2 pi)) per
   *     channel (a constant shift: it changes the value, not the gradients)
   */
  public static MixtureLikelihood build(
      Ops tf,
      Operand<TFloat32> image,
      Operand<TFloat32> means,
      Operand<TFloat32> maskLogits,
      double sigma,
      Form form,
      boolean normalised) {
    return build(tf, image, means, maskLogits, new double[] {sigma}, form, normalised);
  }

  /**
   * Builds the mixture with a standard deviation per slot (a background slot's smaller one, for
   * example).
   *
   * @param sigmas one standard deviation for every slot, [K], or one for all, [1]
   */
  public static MixtureLikelihood build(
      Ops tf,
      Operand<TFloat32> image,
      Operand<TFloat32> means,
      Operand<TFloat32> maskLogits,
      double[] sigmas,
      Form form,
      boolean normalised) {
    Preconditions.rank(maskLogits, 5, "mask logits");
    Operand<TFloat32> logMasks = LogSumExp.logSoftmax(tf, maskLogits, 1); // [B, K, H, W, 1]
    return create(tf, image, means, logMasks, null, sigmas, form, normalised);
  }

  /**
   * Builds the mixture from the masks themselves rather than their logits, so that gradients can
   * be taken with respect to the masks (the reference code's dL/dm input): log m^k is the log of
   * the given masks, floored at {@link #MASK_FLOOR} so that a mask that underflowed to 0 gives
   * finite gradients.
   *
   * @param masks m^k, non-negative and summing to 1 over the slots, [B, K, H, W, 1]
   */
  public static MixtureLikelihood fromMasks(
      Ops tf,
      Operand<TFloat32> image,
      Operand<TFloat32> means,
      Operand<TFloat32> masks,
      double sigma,
      Form form,
      boolean normalised) {
    return fromMasks(tf, image, means, masks, new double[] {sigma}, form, normalised);
  }

  /**
   * {@link #fromMasks(Ops, Operand, Operand, Operand, double, Form, boolean)} with a standard
   * deviation per slot.
   *
   * @param sigmas one standard deviation for every slot, [K], or one for all, [1]
   */
  public static MixtureLikelihood fromMasks(
      Ops tf,
      Operand<TFloat32> image,
      Operand<TFloat32> means,
      Operand<TFloat32> masks,
      double[] sigmas,
      Form form,
      boolean normalised) {
    Preconditions.rank(masks, 5, "masks");
    Operand<TFloat32> logMasks = tf.math.log(tf.math.maximum(masks, tf.constant(MASK_FLOOR))); // [B, K, H, W, 1]
    return create(tf, image, means, logMasks, masks, sigmas, form, normalised);
  }

  private static MixtureLikelihood create(
      Ops tf,
      Operand<TFloat32> image,
      Operand<TFloat32> means,
      Operand<TFloat32> logMasks,
      Operand<TFloat32> masks,
      double[] sigmas,
      Form form,
      boolean normalised) {
    Preconditions.rank(image, 4, "image");
    Preconditions.rank(means, 5, "means");
    long k = means.shape().get(1);
    if (k == Shape.UNKNOWN_SIZE || k < 1) {
      throw new IllegalArgumentException("the slot axis (1) of the means must be static, got " + means.shape());
    }
    if (sigmas.length != 1 && sigmas.length != k) {
      throw new IllegalArgumentException("give one sigma or one per slot (" + k + "), got " + sigmas.length);
    }
    for (double sigma : sigmas) {
      if (!(sigma > 0) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException("sigma must be positive and finite, got " + sigma);
      }
    }
    Operand<TFloat32> x = tf.expandDims(image, tf.constant(1)); // [B, 1, H, W, C]
    Operand<TFloat32> squared = tf.math.squaredDifference(x, means); // [B, K, H, W, C]
    Operand<TFloat32> logKernel; // [B, K, H, W, C]
    Operand<TFloat32> logDensity;
    if (java.util.Arrays.stream(sigmas).distinct().count() == 1) {
      double sigma = sigmas[0];
      logKernel = tf.math.mul(squared, tf.constant((float) (-0.5 / (sigma * sigma))));
      double constant = -Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
      logDensity = normalised ? tf.math.add(logKernel, tf.constant((float) constant)) : logKernel;
    } else {
      float[] scale = new float[(int) k];
      float[] constant = new float[(int) k];
      for (int j = 0; j < k; j++) {
        double sigma = sigmas[j];
        scale[j] = (float) (-0.5 / (sigma * sigma));
        constant[j] = (float) (-Math.log(sigma) - 0.5 * Math.log(2 * Math.PI));
      }
      Shape perSlot = Shape.of(1, k, 1, 1, 1);
      logKernel = tf.math.mul(squared, tf.constant(perSlot, DataBuffers.of(scale, true, false)));
      logDensity =
          normalised ? tf.math.add(logKernel, tf.constant(perSlot, DataBuffers.of(constant, true, false))) : logKernel;
    }
    return new MixtureLikelihood(tf, logMasks, logDensity, logKernel, means, form, (int) k, masks);
  }

  /** log m^k, [B, K, H, W, 1]. */
  public Operand<TFloat32> logMasks() {
    return logMasks;
  }

  /** The masks m^k = softmax over slots of the logits, [B, K, H, W, 1]. */
  public Operand<TFloat32> masks() {
    if (masks == null) {
      masks = tf.math.exp(logMasks);
    }
    return masks;
  }

  /** log N(x_c; mu_c^k, sigma^2) per channel, [B, K, H, W, C]. */
  public Operand<TFloat32> componentLogDensity() {
    return componentLogDensity;
  }

  /**
   * log m^k + log N^k: per pixel for the joint form ([B, K, H, W, 1], densities summed over
   * channels), per channel for the per-channel form ([B, K, H, W, C]).
   */
  private Operand<TFloat32> logJoint() {
    if (logJoint == null) {
      logJoint = tf.math.add(logMasks, densityForForm());
    }
    return logJoint;
  }

  private Operand<TFloat32> densityForForm() {
    if (form == Form.JOINT) {
      return tf.sum(componentLogDensity, tf.constant(4), Sum.keepDims(true)); // [B, K, H, W, 1]
    }
    return componentLogDensity; // [B, K, H, W, C]
  }

  /** The log-likelihood of every pixel (summed over channels), [B, H, W, 1]. */
  public Operand<TFloat32> pixelLogLikelihood() {
    if (pixelLogLikelihood == null) {
      Operand<TFloat32> perTerm = LogSumExp.reduce(tf, logJoint(), 1, false); // [B, H, W, C']
      pixelLogLikelihood = tf.sum(perTerm, tf.constant(3), Sum.keepDims(true)); // [B, H, W, 1]
    }
    return pixelLogLikelihood;
  }

  /** log p(x) of every example, summed over pixels and channels, [B]. */
  public Operand<TFloat32> logLikelihood() {
    return tf.sum(pixelLogLikelihood(), tf.constant(new int[] {1, 2, 3})); // [B]
  }

  /**
   * The posterior mask p(k | x) = softmax_k(log m^k + sum_c log N(x_c; mu_c^k)), [B, K, H, W, 1].
   * It uses the pixel's joint density in both forms: the posterior is a property of the pixel.
   */
  public Operand<TFloat32> posterior() {
    if (posterior == null) {
      Operand<TFloat32> joint =
          tf.math.add(
              logMasks,
              tf.sum(componentLogDensity, tf.constant(4), Sum.keepDims(true))); // [B, K, H, W, 1]
      posterior = LogSumExp.softmax(tf, joint, 1);
    }
    return posterior;
  }

  /**
   * The reference code's posterior: a softmax over slots applied to the pixel's Gaussian
   * likelihoods themselves, prod_c exp(-(x_c - mu_c^k)^2 / (2 sigma^2)) (without the masks and
   * without the normalising constant), rather than to the log-joint; it is close to uniform unless
   * the likelihoods differ by order 1, [B, K, H, W, 1].
   */
  public Operand<TFloat32> referencePosterior() {
    Operand<TFloat32> pixel = tf.sum(logKernel, tf.constant(4), Sum.keepDims(true)); // [B, K, H, W, 1]
    return LogSumExp.softmax(tf, tf.math.exp(pixel), 1);
  }

  /**
   * The leave-one-out log-likelihood: for slot k, the log-likelihood of the pixel under the
   * mixture of the other slots, renormalised: log(sum_{j != k} m^j N^j / sum_{j != k} m^j),
   * summed over channels, [B, K, H, W, 1]. Needs at least two slots.
   */
  public Operand<TFloat32> leaveOneOut() {
    if (slots < 2) {
      throw new IllegalStateException("the leave-one-out likelihood needs at least two slots");
    }
    Operand<TFloat32> numerator = logSumExpExcludingSelf(logJoint()); // [B, K, H, W, C']
    Operand<TFloat32> denominator = logSumExpExcludingSelf(logMasks); // [B, K, H, W, 1]
    Operand<TFloat32> perTerm = tf.math.sub(numerator, denominator); // [B, K, H, W, C']
    return tf.sum(perTerm, tf.constant(4), Sum.keepDims(true)); // [B, K, H, W, 1]
  }

  /** For every k, log sum_{j != k} exp(v^j) along the slot axis; v is [B, K, H, W, C']. */
  private Operand<TFloat32> logSumExpExcludingSelf(Operand<TFloat32> v) {
    float[] exclusion = new float[slots * slots];
    for (int k = 0; k < slots; k++) {
      exclusion[k * slots + k] = EXCLUDED;
    }
    Operand<TFloat32> mask =
        tf.constant(
            Shape.of(1, slots, slots, 1, 1, 1), DataBuffers.of(exclusion, true, false)); // [1, K, K, 1, 1, 1]
    Operand<TFloat32> expanded = tf.expandDims(v, tf.constant(1)); // [B, 1, K, H, W, C']
    return LogSumExp.reduce(tf, tf.math.add(expanded, mask), 2, false); // [B, K, H, W, C']
  }

  /** The reconstruction x_hat = sum_k m^k mu^k, [B, H, W, C]. */
  public Operand<TFloat32> reconstruction() {
    return tf.sum(tf.math.mul(masks(), means), tf.constant(1)); // [B, H, W, C]
  }

  /** The form this mixture was built with. */
  public Form form() {
    return form;
  }
}
