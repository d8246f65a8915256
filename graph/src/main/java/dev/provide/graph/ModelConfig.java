package dev.provide.graph;

import dev.provide.ops.Initializers;
import dev.provide.ops.MixtureLikelihood;

/**
 * The whole model configuration as one immutable value, validated once (MODEL.md sections 1-5
 * and "Decisions"). Start from a preset ({@link #paper()}, {@link #cpu()}) and change fields
 * with the {@code with...} methods; {@link #withMode(Mode)} switches the temporal parts as a
 * block.
 *
 * @param mode which model this is; sets the {@link Temporal} switches
 * @param imageSize frame height and width H = W
 * @param slots K
 * @param latentSize D, the size of z per slot
 * @param lstmSize hidden size of the 2D-LSTM (and of the temporal state)
 * @param refinementSteps R, the steps of the first frame (and the loss weights' denominator)
 * @param scheduleFloor the fewest steps any later frame gets
 * @param decoder the spatial broadcast decoder
 * @param refinement the refinement network
 * @param sigma the pixel standard deviation of every mixture component (of every object slot
 *     when there is a background slot)
 * @param backgroundSigma 0 for K interchangeable slots; else slot 0 is a background slot with
 *     its own lambda_0 and this pixel standard deviation, smaller than {@code sigma}, so that the
 *     likelihood rewards one slot for taking the whole background (MODEL.md "Background slot")
 * @param likelihood joint over channels (clean) or per channel (reference)
 * @param loss the loss weights
 * @param temporal which temporal parts are on
 * @param reference the reference code's accidental choices, each off (clean) by default
 * @param seed weights' initialisation seed
 */
public record ModelConfig(
    Mode mode,
    int imageSize,
    int slots,
    int latentSize,
    int lstmSize,
    int refinementSteps,
    int scheduleFloor,
    Decoder decoder,
    Refinement refinement,
    double sigma,
    double backgroundSigma,
    MixtureLikelihood.Form likelihood,
    Loss loss,
    Temporal temporal,
    Reference reference,
    long seed) {
  /** The most extra refinement passes a predicted frame may take (MODEL.md section 6d). */
  public static final int MAX_ROLLOUT_EXTRA_PASSES = 7;

  /**
   * The spatial broadcast decoder: an MLP of two dense layers on [z ; h], tiled over the image
   * with coordinates, then {@code convs} convolutions and an output convolution to 4 channels.
   *
   * @param mlpWidth width of the two dense layers (D in the paper)
   * @param convs hidden convolutions
   * @param filters filters of each hidden convolution
   * @param kernel kernel size of the hidden convolutions (1 = a per-pixel MLP, much cheaper)
   * @param outputKernel kernel size of the output convolution
   * @param uniformBackground with a background slot: its appearance is one colour per frame, the
   *     spatial mean of what the decoder paints (MODEL.md "Uniform background"), so that it cannot
   *     paint an object into the background; false (off) in both presets
   */
  public record Decoder(int mlpWidth, int convs, int filters, int kernel, int outputKernel, boolean uniformBackground) {
    /** A decoder whose background slot, if any, paints freely. */
    public Decoder(int mlpWidth, int convs, int filters, int kernel, int outputKernel) {
      this(mlpWidth, convs, filters, kernel, outputKernel, false);
    }
  }

  /**
   * The refinement network: {@code convs} convolutions, average pooling, a dense layer, the
   * 2D-LSTM and a dense output to delta lambda.
   *
   * @param convs convolutions
   * @param filters filters per convolution
   * @param kernel kernel size
   * @param stride stride of every convolution (1 in the paper, 2 in IODINE)
   * @param pool average-pooling window after the convolutions (1 = none, 0 = global)
   * @param dense width of the dense layer before the LSTM
   * @param leaveOneOut feed the leave-one-out likelihood as an extra input channel
   */
  public record Refinement(int convs, int filters, int kernel, int stride, int pool, int dense, boolean leaveOneOut) {}

  /**
   * L = nll * NLL + kl * KL + entropy * H per step.
   *
   * @param nll beta
   * @param kl psi
   * @param entropy gamma (the entropy prior; for greyscale data)
   */
  public record Loss(double nll, double kl, double entropy) {}

  /**
   * The temporal parts of the model; all on in {@link Mode#PROVIDE}, all off in
   * {@link Mode#IODINE}.
   *
   * @param temporalState carry the 2D-LSTM state from frame to frame
   * @param conditionalPrior prior p(z_t | h_{t-1}) instead of N(0, I)
   * @param decoderConditioning decoder takes [z ; h_{t-1}]
   * @param decreasingSchedule later frames get fewer steps (R, R-1, ..., floor)
   * @param carryPosterior start each frame from the previous frame's final lambda (SEQ-IODINE)
   * @param inferredRollout a predicted frame carries the state on by inferring its own predicted
   *     frame as an observed one, with the frame's refinement steps and gradients (MODEL.md
   *     section 6c); false: one refinement pass with the gradient inputs set to zero, the
   *     paper's rollout (section 6)
   * @param rolloutExtraPasses refinement passes of a predicted frame beyond the paper's one
   *     (MODEL.md section 6d): its 2D-LSTM is stepped 1 + this many times on the predicted frame,
   *     as an observed frame's is stepped once per refinement step; 0 is the paper's rollout
   */
  public record Temporal(
      boolean temporalState,
      boolean conditionalPrior,
      boolean decoderConditioning,
      boolean decreasingSchedule,
      boolean carryPosterior,
      boolean inferredRollout,
      int rolloutExtraPasses) {
    /** With the paper's rollout. */
    public Temporal(
        boolean temporalState, boolean conditionalPrior, boolean decoderConditioning, boolean decreasingSchedule, boolean carryPosterior) {
      this(temporalState, conditionalPrior, decoderConditioning, decreasingSchedule, carryPosterior, false, 0);
    }

    /** The same switches with the rollout of MODEL.md section 6c on or off. */
    public Temporal withInferredRollout(boolean on) {
      return new Temporal(temporalState, conditionalPrior, decoderConditioning, decreasingSchedule, carryPosterior, on, rolloutExtraPasses);
    }

    /** The same switches with {@code passes} refinement passes per predicted frame (MODEL.md section 6d; 1 is the paper's). */
    public Temporal withRolloutPasses(int passes) {
      return new Temporal(temporalState, conditionalPrior, decoderConditioning, decreasingSchedule, carryPosterior, inferredRollout, passes - 1);
    }

    /** Refinement passes per predicted frame under the paper's rollout (MODEL.md sections 6, 6d). */
    public int rolloutPasses() {
      return 1 + rolloutExtraPasses;
    }
  }

  /**
   * Choices of the reference code that this project does differently by default (docs/PARITY.md
   * lists each with its effect; {@link #all()} reproduces the reference code step for step).
   *
   * @param priorLogVariance use the prior's softplus head as a log-variance (so the prior
   *     variance is >= 1) rather than as a variance
   * @param posteriorFromLikelihoods the posterior mask input as a softmax over slots of the
   *     pixels' Gaussian likelihoods themselves (without the masks) rather than of the log-joint
   *     log m^k + log N^k
   * @param reuseFirstSample the first step of every frame reuses one sample drawn from lambda_0
   *     (outside the refinement, so dL/dlambda of that step sees only the KL) rather than
   *     drawing its own from its lambda
   * @param gradientOfMasks the mask-gradient input is dL/dm^k, the gradient with respect to the
   *     masks (as MODEL.md and the reference), rather than dL/dl^k, with respect to the logits
   * @param firstFrameSkipsLastUpdate a frame with all R steps (the first, under the decreasing
   *     schedule) runs no refinement after its last step, so the next frame's temporal state is
   *     the one after step R - 1, rather than updating after every step
   * @param pytorchInitialisation start the weights as PyTorch's defaults do (kernels and biases
   *     uniform in +-1/sqrt(fan-in), no forget-gate bias) rather than Glorot-uniform kernels, zero
   *     biases and a forget-gate bias of 1 (the training A/B in docs/PARITY.md: it matters)
   */
  public record Reference(
      boolean priorLogVariance,
      boolean posteriorFromLikelihoods,
      boolean reuseFirstSample,
      boolean gradientOfMasks,
      boolean firstFrameSkipsLastUpdate,
      boolean pytorchInitialisation) {
    /** All clean. */
    public static Reference clean() {
      return new Reference(false, false, false, false, false, false);
    }

    /** Every choice as the reference code makes it. */
    public static Reference all() {
      return new Reference(true, true, true, true, true, true);
    }
  }

  /** How the weights start: PyTorch's defaults under the reference option, else Glorot. */
  public Initializers.Scheme initialisation() {
    return reference.pytorchInitialisation() ? Initializers.Scheme.PYTORCH : Initializers.Scheme.GLOROT;
  }

  /** Validates every field, with messages that name it. */
  public ModelConfig {
    require(mode != null, "mode is required");
    require(imageSize >= 4 && imageSize <= 512, "imageSize must be in 4..512, got " + imageSize);
    require(slots >= 2 && slots <= 32, "slots (K) must be in 2..32, got " + slots);
    require(latentSize >= 1, "latentSize (D) must be >= 1, got " + latentSize);
    require(lstmSize >= 1, "lstmSize must be >= 1, got " + lstmSize);
    require(refinementSteps >= 1, "refinementSteps (R) must be >= 1, got " + refinementSteps);
    require(scheduleFloor >= 1 && scheduleFloor <= refinementSteps,
        "scheduleFloor must be in 1..refinementSteps (" + refinementSteps + "), got " + scheduleFloor);
    require(decoder != null && refinement != null && loss != null && temporal != null && reference != null && likelihood != null,
        "decoder, refinement, likelihood, loss, temporal and reference are required");
    require(decoder.mlpWidth() >= 1 && decoder.convs() >= 0 && decoder.filters() >= 1,
        "decoder needs mlpWidth >= 1, convs >= 0, filters >= 1, got " + decoder);
    require(decoder.kernel() % 2 == 1 && decoder.outputKernel() % 2 == 1,
        "decoder kernels must be odd (SAME padding keeps the image size), got " + decoder);
    require(refinement.convs() >= 1 && refinement.filters() >= 1 && refinement.kernel() >= 1 && refinement.stride() >= 1,
        "refinement needs convs, filters, kernel, stride >= 1, got " + refinement);
    require(refinement.dense() >= 1, "refinement dense width must be >= 1");
    require(refinement.pool() >= 0, "refinement pool must be >= 0 (0 = global)");
    int spatial = refinementFeatureSize(imageSize, refinement);
    require(spatial >= 1,
        "the refinement convolutions and pooling reduce a " + imageSize + " pixel frame to nothing: " + refinement);
    require(sigma > 0 && Double.isFinite(sigma), "sigma must be positive, got " + sigma);
    require(backgroundSigma == 0 || (backgroundSigma > 0 && backgroundSigma < sigma),
        "backgroundSigma must be 0 (no background slot) or in (0, sigma = " + sigma + "), got " + backgroundSigma);
    require(!decoder.uniformBackground() || backgroundSigma > 0,
        "decoder.uniformBackground needs a background slot (backgroundSigma > 0)");
    require(loss.nll() >= 0 && loss.kl() >= 0 && loss.entropy() >= 0, "loss weights must be >= 0, got " + loss);
    if (mode == Mode.IODINE || mode == Mode.SEQ_IODINE) {
      require(!temporal.temporalState() && !temporal.conditionalPrior() && !temporal.decoderConditioning(),
          mode.label() + " mode has no temporal state, conditional prior or decoder conditioning");
    }
    require(temporal.rolloutExtraPasses() >= 0 && temporal.rolloutExtraPasses() <= MAX_ROLLOUT_EXTRA_PASSES,
        "temporal.rolloutExtraPasses must be in 0.." + MAX_ROLLOUT_EXTRA_PASSES + " (1 to " + (MAX_ROLLOUT_EXTRA_PASSES + 1)
            + " refinement passes per predicted frame), got " + temporal.rolloutExtraPasses());
    require(!temporal.inferredRollout() || temporal.rolloutExtraPasses() == 0,
        "the inferred rollout (MODEL.md section 6c) runs an observed frame's refinement steps: give it no extra rollout passes");
    require(!temporal.inferredRollout() || temporal.temporalState(),
        "the inferred rollout (MODEL.md section 6c) carries the temporal state, so it needs the temporal state");
    require(!(temporal.decoderConditioning() || temporal.conditionalPrior()) || temporal.temporalState(),
        "decoder conditioning and the conditional prior need the temporal state");
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("model configuration: " + message);
    }
  }

  /** Side of the refinement feature map after the convolutions and the pooling. */
  static int refinementFeatureSize(int imageSize, Refinement r) {
    int s = imageSize;
    for (int i = 0; i < r.convs(); i++) {
      s = (s + r.stride() - 1) / r.stride();
    }
    if (r.pool() == 0) {
      return 1;
    }
    return s / r.pool();
  }

  /** Side of the refinement feature map after the convolutions and the pooling. */
  public int refinementFeatureSize() {
    return refinementFeatureSize(imageSize, refinement);
  }

  /** The number of refinement steps of frame {@code t} (0-based). */
  public int stepsForFrame(int t) {
    if (t < 0) {
      throw new IllegalArgumentException("frame index must be >= 0, got " + t);
    }
    if (mode == Mode.SEQ_IODINE) {
      return t == 0 ? refinementSteps : scheduleFloor;
    }
    if (!temporal.decreasingSchedule()) {
      return refinementSteps;
    }
    return Math.max(scheduleFloor, refinementSteps - t);
  }

  /** The reference code's pixel variance (its {@code var_x}); sigma is its square root. */
  public static final double REFERENCE_PIXEL_VARIANCE = 0.3;

  /**
   * The paper's sizes: 64 x 64, K 5, D 64, LSTM 128, R 6, stride-1 refinement convolutions, and
   * the reference code's pixel variance 0.3 (sigma = sqrt(0.3), about 0.548; docs/PARITY.md).
   */
  public static ModelConfig paper() {
    return new ModelConfig(
        Mode.PROVIDE, 64, 5, 64, 128, 6, 2,
        new Decoder(64, 4, 64, 3, 3),
        new Refinement(4, 64, 3, 1, 4, 128, false),
        Math.sqrt(REFERENCE_PIXEL_VARIANCE), 0, MixtureLikelihood.Form.JOINT,
        new Loss(100, 10, 0.1),
        new Temporal(true, true, true, true, false),
        Reference.clean(),
        1);
  }

  /** The object slots' pixel sigma in the {@code cpu} preset (variance 0.09). */
  public static final double CPU_SIGMA = 0.3;

  /** The background slot's pixel sigma in the {@code cpu} preset: half the object slots' variance. */
  public static final double CPU_BACKGROUND_SIGMA = CPU_SIGMA / Math.sqrt(2);

  /**
   * Small enough to learn on two CPU cores, and the shipped recipe (docs/RESULTS.md, "The shipped
   * recipe"): 32 x 32 frames, K 5 as the paper (a background slot and four object slots), D 32,
   * LSTM 128, R 4 (schedule 4, 3, 2, 2), a decoder of three 1x1 convolutions with 32 filters (a
   * per-pixel MLP on the broadcast latent and coordinates: three quarters of the time went to 3x3
   * decoder convolutions in the calibration run), a refinement network of two stride-2 3x3
   * convolutions with 32 filters, KL weight scaled to the 4x smaller image (10 / 4 = 2.5). Pixels
   * are mixed per channel, as the reference code does, with sigma {@value #CPU_SIGMA} (variance
   * 0.09), and slot 0 is a background slot of half that variance (without it the background was
   * split over every slot: full ARI 0.04). The reference's variance 0.3 with a background slot of 0.15 trained on binary
   * balls but not on colour balls, where the background slot took every pixel
   * ({@code tools/configs/cpu-v2.json}).
   */
  public static ModelConfig cpu() {
    return new ModelConfig(
        Mode.PROVIDE, 32, 5, 32, 128, 4, 2,
        new Decoder(32, 3, 32, 1, 1),
        new Refinement(2, 32, 3, 2, 1, 128, false),
        CPU_SIGMA, CPU_BACKGROUND_SIGMA, MixtureLikelihood.Form.PER_CHANNEL,
        new Loss(100, 2.5, 0.1),
        new Temporal(true, true, true, true, false),
        Reference.clean(),
        1);
  }

  /** A preset by name: "paper" or "cpu". */
  public static ModelConfig preset(String name) {
    switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "paper":
        return paper();
      case "cpu":
        return cpu();
      default:
        throw new IllegalArgumentException("unknown preset '" + name + "': use paper or cpu");
    }
  }

  /**
   * The same sizes in another mode: {@link Mode#IODINE} and {@link Mode#SEQ_IODINE} switch every
   * temporal part off (and the leave-one-out input on), {@link Mode#PROVIDE} switches them on.
   */
  public ModelConfig withMode(Mode m) {
    Temporal t;
    Refinement r = refinement;
    switch (m) {
      case PROVIDE:
        t = new Temporal(true, true, true, true, false);
        break;
      case IODINE:
        t = new Temporal(false, false, false, false, false);
        r = new Refinement(r.convs(), r.filters(), r.kernel(), r.stride(), r.pool(), r.dense(), true);
        break;
      case SEQ_IODINE:
        t = new Temporal(false, false, false, false, true);
        r = new Refinement(r.convs(), r.filters(), r.kernel(), r.stride(), r.pool(), r.dense(), true);
        break;
      default:
        throw new AssertionError(m);
    }
    return new ModelConfig(m, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, r, sigma, backgroundSigma, likelihood, loss, t, reference, seed);
  }

  /** With other temporal switches (mode unchanged). */
  public ModelConfig withTemporal(Temporal t) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, t, reference, seed);
  }

  /** With another image size. */
  public ModelConfig withImageSize(int size) {
    return new ModelConfig(mode, size, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /**
   * Checks a request for the number of slots to run with: 0 (as trained) or a K.
   *
   * @throws IllegalArgumentException if {@code slots} is negative
   */
  public static int requireSlotRequest(int slots) {
    if (slots < 0) {
      throw new IllegalArgumentException("slots must be 0 (as trained) or a number of slots, got " + slots);
    }
    return slots;
  }

  /**
   * This configuration run with {@code slots} slots: itself for 0, else with that K (validated).
   * The weights do not depend on K, so a checkpoint restores into either.
   */
  public ModelConfig runningWith(int slots) {
    return requireSlotRequest(slots) == 0 ? this : withSlots(slots);
  }

  /** With another number of slots. */
  public ModelConfig withSlots(int k) {
    return new ModelConfig(mode, imageSize, k, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /** With other loss weights. */
  public ModelConfig withLoss(Loss l) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, l, temporal, reference, seed);
  }

  /** With another refinement schedule. */
  public ModelConfig withSchedule(int steps, int floor) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, steps, floor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /** With other reference options. */
  public ModelConfig withReference(Reference r) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, r, seed);
  }

  /** With another decoder. */
  public ModelConfig withDecoder(Decoder d) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        d, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /** With another refinement network. */
  public ModelConfig withRefinement(Refinement r) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, r, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /** With other latent and LSTM sizes. */
  public ModelConfig withSizes(int latent, int lstm) {
    return new ModelConfig(mode, imageSize, slots, latent, lstm, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, seed);
  }

  /** With another pixel sigma and likelihood form. */
  public ModelConfig withLikelihood(double s, MixtureLikelihood.Form form) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, s, backgroundSigma, form, loss, temporal, reference, seed);
  }

  /** With a background slot of this pixel standard deviation (0: none). */
  public ModelConfig withBackgroundSigma(double s) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, s, likelihood, loss, temporal, reference, seed);
  }

  /** Whether slot 0 is a background slot. */
  public boolean hasBackgroundSlot() {
    return backgroundSigma > 0;
  }

  /** The pixel standard deviation of every slot, [K]: the background's for slot 0 when there is one. */
  public double[] slotSigmas() {
    double[] s = new double[slots];
    java.util.Arrays.fill(s, sigma);
    if (hasBackgroundSlot()) {
      s[0] = backgroundSigma;
    }
    return s;
  }

  /** With another initialisation seed. */
  public ModelConfig withSeed(long s) {
    return new ModelConfig(mode, imageSize, slots, latentSize, lstmSize, refinementSteps, scheduleFloor,
        decoder, refinement, sigma, backgroundSigma, likelihood, loss, temporal, reference, s);
  }

  /** Channels of the refinement network's image input (MODEL.md section 4). */
  public int refinementInputChannels() {
    return RefinementInputs.imageChannels(refinement.leaveOneOut());
  }
}
