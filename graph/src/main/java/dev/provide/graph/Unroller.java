package dev.provide.graph;

import dev.provide.ops.GaussianKl;
import dev.provide.ops.LogSumExp;
import dev.provide.ops.Lstm2dCell;
import dev.provide.ops.MaskEntropy;
import dev.provide.ops.MixtureLikelihood;
import dev.provide.ops.Shapes;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Builds the inference of one frame as the equations of MODEL.md sections 1-5 read: for each
 * refinement step, sample z from lambda, decode, score with the mixture likelihood, take the
 * per-step loss and its gradients (inside the graph, stop-gradient), and update lambda with the
 * refinement network. Frames are chained by the caller through {@link Carried}.
 */
public final class Unroller {
  /** Offsets between the noise seeds of consecutive steps of a frame. */
  static final long STEP_SEED_STRIDE = 1;

  private final Model model;
  private final ModelConfig c;
  private final int k;
  private final int size;
  private final int d;
  private final double[] sigmas;

  /**
   * What one frame hands to the next.
   *
   * @param temporal the 2D-LSTM state [N, L] each (zeros when the temporal state is off)
   * @param lambda the final posterior parameters [N, 2D] (used by SEQ-IODINE)
   */
  public record Carried(Lstm2dCell.State temporal, Operand<TFloat32> lambda) {}

  /**
   * The loss terms of one step (batch means).
   *
   * @param total beta * NLL + psi * KL + gamma * H
   */
  public record StepLoss(Operand<TFloat32> total, Operand<TFloat32> nll, Operand<TFloat32> kl, Operand<TFloat32> entropy) {}

  /**
   * The outputs of a frame, from its last decoded step.
   *
   * @param masks [B, K, H, W, 1]
   * @param maskLogits [B, K, H, W, 1]
   * @param means [B, K, H, W, 3]
   * @param reconstruction [B, H, W, 3]
   * @param latentMean posterior means of z [B, K, D]
   * @param latentLogVariance posterior log-variances of z [B, K, D]
   * @param logLikelihood log p(x | z) of each sequence's frame under the last step's mixture [B]
   * @param losses one per step
   * @param steps what every step computed, for inspection (empty for a predicted frame)
   * @param carried what the next frame gets
   */
  public record Frame(
      Operand<TFloat32> masks,
      Operand<TFloat32> maskLogits,
      Operand<TFloat32> means,
      Operand<TFloat32> reconstruction,
      Operand<TFloat32> latentMean,
      Operand<TFloat32> latentLogVariance,
      Operand<TFloat32> logLikelihood,
      List<StepLoss> losses,
      List<StepOutputs> steps,
      Carried carried) {}

  /**
   * What one refinement step computed, for inspection: nothing is run unless fetched. The parity
   * test compares each with the reference code's value.
   *
   * @param means the slot means [B, K, H, W, 3]
   * @param maskLogits [B, K, H, W, 1]
   * @param logLikelihood log p(x | z) of each sequence's frame [B]
   * @param loss the step's loss terms
   * @param refinementImage the refinement network's image inputs [N, H, W, C_in]
   * @param refinementVector its vector inputs [N, 4D]
   * @param deltaLambda the update [N, 2D], or null for a step that runs no refinement
   * @param state the 2D-LSTM state after the update, or null for a step that runs no refinement
   */
  public record StepOutputs(
      Operand<TFloat32> means,
      Operand<TFloat32> maskLogits,
      Operand<TFloat32> logLikelihood,
      StepLoss loss,
      Operand<TFloat32> refinementImage,
      Operand<TFloat32> refinementVector,
      Operand<TFloat32> deltaLambda,
      Lstm2dCell.State state) {}

  /**
   * Where a refinement step's sampling noise eps ~ N(0, I) comes from. The default,
   * {@link #STATELESS_NORMAL}, draws it from the step's seed; a test can feed saved noise instead
   * (the parity test feeds the reference code's).
   */
  @FunctionalInterface
  public interface Noise {
    /** The frame index given for the one sample that {@link ModelConfig.Reference#reuseFirstSample} shares. */
    int SHARED = -1;

    /** Standard normal noise from a stateless random op. */
    Noise STATELESS_NORMAL = (tf, like, seed, frame, step) -> tf.random.statelessRandomNormal(tf.shape(like), seed);

    /**
     * Standard normal noise that is the same for every video of a batch: one [K, D] draw from the
     * step's seed, repeated for each of the B videos. A video's result then depends on the video
     * and the seed only, not on its row in the batch or on the batch's size, so a served result
     * can be reproduced alone. Inference uses it; training keeps independent noise per row.
     *
     * @param slots K; the rows of {@code like} are the B videos' K slots, video-major
     */
    static Noise sameForEveryVideo(int slots) {
      return (tf, like, seed, frame, step) -> {
        Operand<TInt32> shape = tf.shape(like); // [2]: N = B*K, D
        Operand<TInt32> axis0 = tf.constant(0);
        Operand<TInt32> rows = tf.gather(shape, tf.constant(new int[] {0}), axis0); // [1]
        Operand<TInt32> width = tf.gather(shape, tf.constant(new int[] {1}), axis0); // [1]
        Operand<TInt32> k = tf.constant(new int[] {slots});
        Operand<TFloat32> perSlot = tf.random.statelessRandomNormal(tf.concat(List.of(k, width), axis0), seed); // [K, D]
        Operand<TInt32> videos = tf.math.floorDiv(rows, k); // [1]: B
        return tf.tile(perSlot, tf.concat(List.of(videos, tf.constant(new int[] {1})), axis0)); // [B*K, D]
      };
    }

    /**
     * This replica's rows of the noise that one replica with the whole global batch would draw:
     * {@code base} draws for all {@code replicas} replicas' rows from the step's seed, and replica
     * {@code index} keeps rows [index * N, (index + 1) * N). Data-parallel training then samples
     * exactly as one process training on the union of the replicas' batches (the replicas' batches
     * concatenated in replica order), which is what makes the two comparable.
     */
    static Noise replicaRows(Noise base, int index, int replicas) {
      return (tf, like, seed, frame, step) -> {
        Operand<TInt32> shape = tf.shape(like); // [2]: N, D
        Operand<TInt32> axis0 = tf.constant(0);
        Operand<TInt32> rows = tf.gather(shape, tf.constant(new int[] {0}), axis0); // [1]
        Operand<TInt32> all = tf.concat(List.of(tf.math.mul(rows, tf.constant(new int[] {replicas})),
            tf.gather(shape, tf.constant(new int[] {1}), axis0)), axis0); // [2]: R*N, D
        Operand<TFloat32> everyReplica = base.draw(tf, tf.fill(all, tf.constant(0f)), seed, frame, step); // [R*N, D]
        Operand<TInt32> begin = tf.concat(List.of(tf.math.mul(rows, tf.constant(new int[] {index})), tf.constant(new int[] {0})), axis0);
        return tf.slice(everyReplica, begin, shape); // [N, D]
      };
    }

    /**
     * The noise of one step.
     *
     * @param like a tensor of the noise's shape [N, D]
     * @param seed [2] int64 seed of this draw
     * @param frame the frame's index in the clip ({@link #SHARED} for the shared first sample, -1
     *     where one graph serves frames at any position)
     * @param step the refinement step within the frame
     * @return [N, D]
     */
    Operand<TFloat32> draw(Ops tf, Operand<TFloat32> like, Operand<TInt64> seed, int frame, int step);
  }

  /**
   * Feeds shared by all frames of a graph.
   *
   * @param klWeight psi, scalar (the trainer anneals it)
   * @param noiseScale multiplies the sampling noise: 1 samples, 0 uses the posterior mean
   * @param noise where the sampling noise comes from
   */
  public record Controls(Operand<TFloat32> klWeight, Operand<TFloat32> noiseScale, Noise noise) {
    /** With {@link Noise#STATELESS_NORMAL} noise. */
    public Controls(Operand<TFloat32> klWeight, Operand<TFloat32> noiseScale) {
      this(klWeight, noiseScale, Noise.STATELESS_NORMAL);
    }
  }

  /** An unroller over the given model's variables. */
  public Unroller(Model model) {
    this.model = model;
    this.c = model.config();
    this.k = c.slots();
    this.size = c.imageSize();
    this.d = c.latentSize();
    this.sigmas = c.slotSigmas();
  }

  /** The state before the first frame: zeros, and lambda_0 for every slot of the batch. */
  public Carried initial(Ops tf, Operand<TFloat32> firstFrame) {
    Operand<TFloat32> lambda = initialLambda(tf, firstFrame);
    return new Carried(model.refinement().zeroState(tf, lambda), lambda);
  }

  private Operand<TFloat32> initialLambda(Ops tf, Operand<TFloat32> frame) {
    Operand<TFloat32> perSlot = model.slotLambda0(tf); // [K, 2D]
    return tf.tile(perSlot, tf.stack(List.of(Shapes.batchSize(tf, frame), tf.constant(1)))); // [N, 2D], row b*K + k
  }

  /**
   * Builds the refinement of one frame.
   *
   * @param frame x_t [B, H, W, 3]
   * @param index the frame's position in the clip, for the noise source (-1 where one graph serves
   *     frames at any position)
   * @param steps refinement steps for this frame
   * @param in the state from the previous frame ({@link #initial} for the first)
   * @param frameSeed [2] int64 seed of this frame's noise; step r uses frameSeed + (0, r)
   * @param firstSampleSeed [2] int64 seed of the first step's noise under the reference option
   *     that reuses one sample for every frame
   */
  public Frame frame(
      Ops tf,
      Operand<TFloat32> frame,
      int index,
      int steps,
      Carried in,
      Operand<TInt64> frameSeed,
      Operand<TInt64> firstSampleSeed,
      Controls controls) {
    ModelConfig.Temporal temporal = c.temporal();
    ModelConfig.Reference reference = c.reference();
    Lstm2dCell.State temporalState = in.temporal();
    Operand<TFloat32> hCond = temporal.decoderConditioning() ? temporalState.h() : null;
    // MODEL.md sec. 2: the prior of this frame from h_{t-1} (a learned constant at the first frame).
    ConditionalPrior.Gaussian prior = model.prior() == null ? null : model.prior().apply(tf, temporalState.h());
    // MODEL.md sec. 3: lambda is reset to lambda_0 at every frame (SEQ-IODINE carries it instead).
    Operand<TFloat32> lambda = temporal.carryPosterior() ? in.lambda() : initialLambda(tf, frame);
    Lstm2dCell.State refinementState = model.refinement().zeroState(tf, lambda);
    Lstm2dCell.State lstmTemporal = temporal.temporalState() ? temporalState : refinementState;

    List<StepLoss> losses = new ArrayList<>();
    List<StepOutputs> outputs = new ArrayList<>();
    Step last = null;
    for (int r = 0; r < steps; r++) {
      // z = mu + sigma * eps from this step's lambda; under the reference option the first step
      // of every frame takes one sample shared by all frames, drawn from lambda_0 apart from the
      // lambda that the refinement differentiates (so its dL/dlambda sees only the KL).
      boolean shared = r == 0 && reference.reuseFirstSample();
      Operand<TFloat32> sampledFrom = shared ? initialLambda(tf, frame) : lambda; // [N, 2D]
      Operand<TFloat32> eps =
          shared
              ? controls.noise().draw(tf, halves(tf, sampledFrom).get(0), firstSampleSeed, Noise.SHARED, 0)
              : controls.noise().draw(
                  tf, halves(tf, sampledFrom).get(0), tf.math.add(frameSeed, tf.constant(new long[] {0, r * STEP_SEED_STRIDE})), index, r); // [N, D]
      last = step(tf, frame, lambda, sampledFrom, hCond, prior, eps, controls);
      losses.add(last.loss);
      // The reference code runs no refinement after the last step of a frame with all R steps.
      boolean update = !(reference.firstFrameSkipsLastUpdate() && r == c.refinementSteps() - 1);
      RefinementNetwork.Step refined = null;
      if (update) {
        // MODEL.md sec. 4: refinement inputs and the 2D-LSTM update of lambda.
        refined = model.refinement().apply(tf, last.image, last.vector, lstmTemporal, refinementState);
        refinementState = refined.state();
        lambda = tf.math.add(lambda, refined.deltaLambda()); // [N, 2D]
      }
      outputs.add(new StepOutputs(last.means5, last.logits5, last.logLikelihood, last.loss, last.image, last.vector,
          refined == null ? null : refined.deltaLambda(), refined == null ? null : refined.state()));
    }
    Lstm2dCell.State nextTemporal = temporal.temporalState() ? refinementState : in.temporal();
    return new Frame(
        last.masks, last.logits5, last.means5, last.reconstruction,
        perSlotVector(tf, last.mu), perSlotVector(tf, last.logVar), last.logLikelihood,
        losses, outputs, new Carried(nextTemporal, lambda));
  }

  /** z = mu + exp(logVar / 2) * eps, [N, D]: the reparameterised draw of MODEL.md section 1. */
  private static Operand<TFloat32> sample(Ops tf, Operand<TFloat32> mu, Operand<TFloat32> logVar, Operand<TFloat32> eps) {
    return tf.math.add(mu, tf.math.mul(tf.math.exp(tf.math.mul(logVar, tf.constant(0.5f))), eps));
  }

  /** lambda [N, 2D] split into mu and log-variance, [N, D] each. */
  private static List<Output<TFloat32>> halves(Ops tf, Operand<TFloat32> lambda) {
    Split<TFloat32> parts = tf.split(tf.constant(1), lambda, 2L);
    return parts.output();
  }

  /**
   * One draw of MODEL.md sections 6f and 6g: frames {@code from} .. {@code to - 1} of a clip
   * inferred from {@code start}, the state after the frames every draw shares, with the draw's own
   * noise. Frame t's seed is drawSeed + (0, (t + 1) * stride), drawSeed itself the first-sample
   * seed, as a clip seeded with drawSeed would infer them.
   *
   * @param x the clip's frames, each [B, H, W, 3]
   * @param drawSeed [2] int64, the draw's clip seed
   * @return the state after frame {@code to - 1}
   */
  public Carried draw(Ops tf, List<Operand<TFloat32>> x, int from, int to, Carried start, Operand<TInt64> drawSeed, Controls controls) {
    Carried carried = start;
    for (int t = from; t < to; t++) {
      Ops ft = tf.withSubScope("frame" + t);
      Operand<TInt64> frameSeed = ft.math.add(drawSeed, ft.constant(new long[] {0, (t + 1) * TrainingGraph.FRAME_SEED_STRIDE}));
      carried = frame(ft, x.get(t), t, c.stepsForFrame(t), carried, frameSeed, drawSeed, controls).carried();
    }
    return carried;
  }

  /** The sum of states, h, c and lambda each ([N, L], [N, L], [N, 2D]). */
  public static Carried sum(Ops tf, List<Carried> states) {
    Carried total = states.get(0);
    for (Carried s : states.subList(1, states.size())) {
      total = new Carried(
          new Lstm2dCell.State(tf.math.add(total.temporal().h(), s.temporal().h()), tf.math.add(total.temporal().c(), s.temporal().c())),
          tf.math.add(total.lambda(), s.lambda()));
    }
    return total;
  }

  /**
   * Rolls the model one frame into the future (MODEL.md section 6): the prior from the temporal
   * state (N(0, I) without a conditional prior), its mean decoded with h_{t-1}, the decoded frame
   * x_hat treated as the observation, and one pass of the refinement network with the gradient
   * inputs set to zero, whose 2D-LSTM state becomes the next temporal state (or more passes, with
   * {@link ModelConfig.Temporal#rolloutExtraPasses}: section 6d).
   */
  public Frame predictFrame(Ops tf, Carried in) {
    return predictFrame(tf, in, null);
  }

  /**
   * {@link #predictFrame(Ops, Carried)}, decoding z = mean + std * eps, a draw from the prior,
   * instead of the prior mean.
   *
   * @param eps the noise [N, D], already scaled (zeros decode the prior mean); null for the mean
   */
  public Frame predictFrame(Ops tf, Carried in, Operand<TFloat32> eps) {
    return predictFrame(tf, in, eps, true);
  }

  /**
   * {@link #predictFrame(Ops, Carried, Operand)}, choosing whether x_hat, fed back as the
   * observation, is a constant to the gradient (the paper's rollout) or passes it on to the
   * decoder (for a prediction term in training, {@link TrainingGraph.Rollout#feedbackGradient}).
   */
  public Frame predictFrame(Ops tf, Carried in, Operand<TFloat32> eps, boolean stopFeedbackGradient) {
    return predictFrame(tf, in, eps, stopFeedbackGradient, null);
  }

  /**
   * {@link #predictFrame(Ops, Carried, Operand, boolean)}, feeding back a sharper frame than the one
   * it predicts: x_hat mixed with masks softmax(s * logits) over slots, s the {@code
   * feedbackSharpness} (1 or null: the predicted frame itself, the paper's rollout; larger: nearer
   * each pixel's most likely slot). The predicted masks, means and frame are unchanged.
   *
   * @param feedbackSharpness a scalar s, or null for 1
   */
  public Frame predictFrame(Ops tf, Carried in, Operand<TFloat32> eps, boolean stopFeedbackGradient, Operand<TFloat32> feedbackSharpness) {
    Lstm2dCell.State temporalState = in.temporal();
    Forecast f = forecast(tf, in, eps);
    Operand<TFloat32> mean = f.mean, logVariance = f.logVariance, means5 = f.means5, logits5 = f.logits5;
    Decoder.Decoded decoded = f.decoded;
    Operand<TFloat32> reconstruction = f.reconstruction; // x_hat [B, H, W, 3]
    Operand<TFloat32> fedBack = feedbackSharpness == null
        ? reconstruction
        : mixtureMean(tf, means5, tf.math.mul(logits5, feedbackSharpness)); // [B, H, W, 3]
    Operand<TFloat32> predicted = stopFeedbackGradient ? tf.stopGradient(fedBack) : fedBack;
    MixtureLikelihood mix = MixtureLikelihood.build(tf, predicted, means5, logits5, sigmas, c.likelihood(), true);
    Operand<TFloat32> lambda = tf.concat(List.of(mean, logVariance), tf.constant(1)); // [N, 2D]
    Operand<TFloat32> posterior =
        c.reference().posteriorFromLikelihoods() ? mix.referencePosterior() : mix.posterior();
    RefinementInputs.Parts parts =
        new RefinementInputs.Parts(
            predicted,
            decoded.means(),
            perSlotImage(tf, mix.masks()),
            decoded.maskLogits(),
            tf.zerosLike(decoded.means()),
            tf.zerosLike(decoded.maskLogits()),
            perSlotImage(tf, posterior),
            mix.pixelLogLikelihood(),
            c.refinement().leaveOneOut() ? perSlotImage(tf, mix.leaveOneOut()) : null,
            lambda,
            tf.zerosLike(lambda));
    Lstm2dCell.State zero = model.refinement().zeroState(tf, lambda);
    Operand<TFloat32> image = RefinementInputs.image(tf, parts, k, size); // [N, H, W, C_in]
    Operand<TFloat32> vector = RefinementInputs.vector(tf, parts); // [N, 4D]
    // MODEL.md sec. 6d: the 2D-LSTM stepped once per pass on the same inputs, its refinement state
    // carried from pass to pass as from step to step of an observed frame (one pass: the paper's).
    RefinementNetwork.Step update = null;
    Lstm2dCell.State refinementState = zero;
    for (int pass = 0; pass < c.temporal().rolloutPasses(); pass++) {
      update = model.refinement().apply(tf, image, vector, c.temporal().temporalState() ? temporalState : zero, refinementState);
      refinementState = update.state();
    }
    Lstm2dCell.State next = c.temporal().temporalState() ? update.state() : temporalState;
    return new Frame(
        mix.masks(), logits5, means5, feedbackSharpness == null ? predicted : reconstruction, perSlotVector(tf, mean), perSlotVector(tf, logVariance),
        mix.logLikelihood(), List.of(), List.of(), new Carried(next, tf.math.add(lambda, update.deltaLambda())));
  }

  /**
   * MODEL.md section 6c: the frame predicted as in section 6 (its masks, slot means and x_hat from
   * the prior mean decoded with h_{t-1}), whose state goes on by inferring x_hat as if it were an
   * observed frame: {@code steps} refinement steps with their likelihood gradients, as
   * {@link #frame} does, so the temporal state is updated as on every observed frame.
   *
   * @param index the frame's position in the clip, for the noise source (-1 where one graph
   *     serves frames at any position)
   * @param steps the refinement steps of an observed frame at this position
   * @param stopFeedbackGradient whether x_hat is a constant to the gradient (as in section 6)
   */
  public Frame predictFrameInferred(
      Ops tf,
      Carried in,
      int index,
      int steps,
      Operand<TInt64> frameSeed,
      Operand<TInt64> firstSampleSeed,
      Controls controls,
      boolean stopFeedbackGradient) {
    Forecast f = forecast(tf, in, null);
    MixtureLikelihood mix = MixtureLikelihood.build(tf, tf.stopGradient(f.reconstruction), f.means5, f.logits5, sigmas, c.likelihood(), true);
    Operand<TFloat32> observed = stopFeedbackGradient ? tf.stopGradient(f.reconstruction) : f.reconstruction; // [B, H, W, 3]
    Frame inferred = frame(tf, observed, index, steps, in, frameSeed, firstSampleSeed, controls);
    return new Frame(
        mix.masks(), f.logits5, f.means5, f.reconstruction, perSlotVector(tf, f.mean), perSlotVector(tf, f.logVariance),
        mix.logLikelihood(), List.of(), List.of(), inferred.carried());
  }

  /** The prior of a predicted frame and its mean (or a draw) decoded: the part sections 6 and 6c share. */
  private static final class Forecast {
    Operand<TFloat32> mean, logVariance, means5, logits5, reconstruction;
    Decoder.Decoded decoded;
  }

  private Forecast forecast(Ops tf, Carried in, Operand<TFloat32> eps) {
    Forecast f = new Forecast();
    Operand<TFloat32> h = in.temporal().h(); // [N, L]
    if (model.prior() != null) {
      ConditionalPrior.Gaussian prior = model.prior().apply(tf, h);
      f.mean = prior.mean(); // [N, D]
      f.logVariance = tf.math.log(prior.variance()); // [N, D]
    } else {
      Operand<TInt32> dims = tf.stack(List.of(Shapes.batchSize(tf, h), tf.constant(d)));
      f.mean = tf.zeros(dims, TFloat32.class); // [N, D]
      f.logVariance = f.mean;
    }
    Operand<TFloat32> z = eps == null ? f.mean : sample(tf, f.mean, f.logVariance, eps); // [N, D]
    f.decoded = model.decoder().decode(tf, z, c.temporal().decoderConditioning() ? h : null);
    f.means5 = tf.reshape(f.decoded.means(), tf.constant(new int[] {-1, k, size, size, 3})); // [B, K, H, W, 3]
    f.logits5 = tf.reshape(f.decoded.maskLogits(), tf.constant(new int[] {-1, k, size, size, 1})); // [B, K, H, W, 1]
    f.reconstruction = mixtureMean(tf, f.means5, f.logits5); // x_hat [B, H, W, 3]
    return f;
  }

  /** The frame a mixture predicts, sum_k m_k mu_k with m = softmax(logits) over slots [B, H, W, 3]. */
  private Operand<TFloat32> mixtureMean(Ops tf, Operand<TFloat32> means5, Operand<TFloat32> logits5) {
    Operand<TFloat32> noFrame = tf.zeros(tf.constant(new int[] {1, size, size, 3}), TFloat32.class); // only the masks and means are read
    return MixtureLikelihood.build(tf, noFrame, means5, logits5, sigmas, c.likelihood(), true).reconstruction();
  }

  /**
   * log p(x | predicted mixture) of each sequence, [B]: a frame x scored under the masks and slot
   * means of a {@link #predictFrame predicted} frame (the mixture likelihood of MODEL.md section 1).
   */
  public Operand<TFloat32> logLikelihood(Ops tf, Operand<TFloat32> frame, Frame predicted) {
    return MixtureLikelihood.build(tf, frame, predicted.means(), predicted.maskLogits(), sigmas, c.likelihood(), true)
        .logLikelihood();
  }

  /** Everything one refinement step computes before the refinement network. */
  static final class Step {
    Operand<TFloat32> mu, logVar, means, logits, means5, logits5, masks, reconstruction, logLikelihood, image, vector;
    Operand<TFloat32> meansGradient, logitsGradient, lambdaGradient;
    StepLoss loss;
  }

  /**
   * One step up to the refinement inputs (package-private for tests).
   *
   * @param lambda the posterior parameters the refinement updates [N, 2D]
   * @param sampledFrom the parameters z is sampled from: {@code lambda}, or lambda_0 for the
   *     reference code's shared first sample
   * @param eps the standard normal noise [N, D] (scaled by the controls' noise scale here)
   */
  Step step(
      Ops tf,
      Operand<TFloat32> frame,
      Operand<TFloat32> lambda,
      Operand<TFloat32> sampledFrom,
      Operand<TFloat32> hCond,
      ConditionalPrior.Gaussian prior,
      Operand<TFloat32> eps,
      Controls controls) {
    Step s = new Step();
    List<Output<TFloat32>> q = halves(tf, lambda);
    s.mu = q.get(0); // [N, D]
    s.logVar = q.get(1); // [N, D]
    List<Output<TFloat32>> sampling = sampledFrom == lambda ? q : halves(tf, sampledFrom);
    // z = mu + exp(logvar / 2) * eps; the noise never carries a gradient.
    Operand<TFloat32> scaled = tf.stopGradient(tf.math.mul(eps, controls.noiseScale())); // [N, D]
    Operand<TFloat32> z = sample(tf, sampling.get(0), sampling.get(1), scaled); // [N, D]

    // MODEL.md sec. 1: decode every slot, masks by softmax over slots, spatial Gaussian mixture.
    Decoder.Decoded decoded = model.decoder().decode(tf, z, hCond);
    Operand<TFloat32> means = decoded.means(); // [N, H, W, 3]
    Operand<TFloat32> logits = decoded.maskLogits(); // [N, H, W, 1]
    s.means5 = tf.reshape(means, tf.constant(new int[] {-1, k, size, size, 3})); // [B, K, H, W, 3]
    s.logits5 = tf.reshape(logits, tf.constant(new int[] {-1, k, size, size, 1})); // [B, K, H, W, 1]
    // The reference option differentiates with respect to the masks, so the loss is built on them.
    boolean ofMasks = c.reference().gradientOfMasks();
    Operand<TFloat32> masksIn = ofMasks ? LogSumExp.softmax(tf, s.logits5, 1) : null; // [B, K, H, W, 1]
    MixtureLikelihood mix =
        ofMasks
            ? MixtureLikelihood.fromMasks(tf, frame, s.means5, masksIn, sigmas, c.likelihood(), true)
            : MixtureLikelihood.build(tf, frame, s.means5, s.logits5, sigmas, c.likelihood(), true);
    s.masks = mix.masks(); // [B, K, H, W, 1]
    s.reconstruction = mix.reconstruction(); // [B, H, W, 3]
    s.logLikelihood = mix.logLikelihood(); // [B]

    // MODEL.md sec. 5: L = beta NLL + psi KL + gamma H, batch means.
    Operand<TFloat32> nll = tf.math.neg(tf.math.mean(s.logLikelihood, tf.constant(0)));
    Operand<TFloat32> klPerSlot =
        prior == null
            ? GaussianKl.standardNormal(tf, s.mu, s.logVar)
            : GaussianKl.diagonal(tf, s.mu, s.logVar, prior.mean(), prior.variance()); // [N]
    Operand<TFloat32> kl =
        tf.math.mean(tf.sum(tf.reshape(klPerSlot, tf.constant(new int[] {-1, k})), tf.constant(1)), tf.constant(0));
    Operand<TFloat32> entropy = tf.math.mean(MaskEntropy.fromLogMasks(tf, mix.logMasks()), tf.constant(0));
    Operand<TFloat32> total =
        tf.math.add(
            tf.math.add(tf.math.mul(tf.constant((float) c.loss().nll()), nll), tf.math.mul(controls.klWeight(), kl)),
            tf.math.mul(tf.constant((float) c.loss().entropy()), entropy));
    s.loss = new StepLoss(total, nll, kl, entropy);

    // MODEL.md sec. 4: gradients of the step loss, inside the graph, never differentiated through.
    // Of the batch-mean loss, as in the reference code (so 1/B of each sequence's own; the inputs
    // are layer-normalised per slot, which removes the scale except under the variance floor).
    // Seeding with B instead (each sequence's own gradient) was tried in run G and ended far
    // behind run C (one run each; docs/RESULTS.md).
    Output<?>[] grads =
        ((Graph) tf.scope().env())
            .addGradients(
                tf.scope().makeOpName("gradients"), // inside the scope: a tower's gradients stay on its device (Towers)
                new Output<?>[] {total.asOutput()},
                new Output<?>[] {means.asOutput(), (ofMasks ? masksIn : logits).asOutput(), lambda.asOutput()},
                new Output<?>[] {tf.constant(1f).asOutput()});
    Operand<TFloat32> dMeans = cast(grads[0]); // [N, H, W, 3]
    Operand<TFloat32> dLogits = ofMasks ? perSlotImage(tf, cast(grads[1])) : cast(grads[1]); // [N, H, W, 1]: dL/dm or dL/dl
    Operand<TFloat32> dLambda = cast(grads[2]); // [N, 2D]
    s.means = means;
    s.logits = logits;
    s.meansGradient = dMeans;
    s.logitsGradient = dLogits;
    s.lambdaGradient = dLambda;

    Operand<TFloat32> posterior =
        c.reference().posteriorFromLikelihoods() ? mix.referencePosterior() : mix.posterior(); // [B, K, H, W, 1]
    RefinementInputs.Parts parts =
        new RefinementInputs.Parts(
            frame,
            means,
            perSlotImage(tf, s.masks),
            logits,
            dMeans,
            dLogits,
            perSlotImage(tf, posterior),
            mix.pixelLogLikelihood(),
            c.refinement().leaveOneOut() ? perSlotImage(tf, mix.leaveOneOut()) : null,
            lambda,
            dLambda);
    s.image = RefinementInputs.image(tf, parts, k, size); // [N, H, W, C_in]
    s.vector = RefinementInputs.vector(tf, parts); // [N, 4D]
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast(Output<?> o) {
    return (Operand<TFloat32>) o;
  }

  /** [B, K, H, W, 1] -> [N, H, W, 1]. */
  private Operand<TFloat32> perSlotImage(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new int[] {-1, size, size, 1}));
  }

  /** [N, D] -> [B, K, D]. */
  private Operand<TFloat32> perSlotVector(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new int[] {-1, k, d}));
  }
}
