package dev.provide.graph;

import dev.provide.ops.GaussianKl;
import dev.provide.ops.Lstm2dCell;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph a training session runs: a clip of n frames unrolled over frames and refinement
 * steps, the total loss sum_t sum_r (r + 1) / R * L_{t,r} (MODEL.md section 5), and, when asked
 * for, Adam with gradients clipped by their global norm.
 *
 * <p>Feeds: {@link #video} [B, n, H, W, 3] in [0, 1]; {@link #seed} [2] int64 (the noise of the
 * whole clip; vary it per step); optionally {@link #klWeight} (defaults to the configuration's
 * psi) and {@link #noiseScale} (defaults to 1).
 */
public final class TrainingGraph {
  static {
    dev.provide.ops.NativeLogLevel.apply(); // before TensorFlow's natives start: errors only, unless the user set a level
  }

  /** Seeds of consecutive frames are this far apart (steps of a frame use the offsets between). */
  public static final long FRAME_SEED_STRIDE = 1000;

  /**
   * Optimiser settings.
   *
   * @param learningRate Adam's step size
   * @param clipNorm clip gradients to this global norm (0 = no clipping)
   */
  public record Optimization(double learningRate, double clipNorm) {
    /** Validates. */
    public Optimization {
      if (!(learningRate > 0)) {
        throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
      }
      if (!(clipNorm >= 0)) {
        throw new IllegalArgumentException("clip norm must be >= 0, got " + clipNorm);
      }
    }

    /** The paper's: Adam 3e-4, global norm 5. */
    public static Optimization defaults() {
      return new Optimization(3e-4, 5);
    }
  }

  /** How the latent prediction term (MODEL.md section 6e) scores a true frame's posterior against the rollout's prior. */
  public enum LatentScore {
    /** KL(q || p_hat): its minimiser over uncertain futures is the mean of the true latents. */
    KL,
    /**
     * -log Laplace(mu_q | mean of p_hat, b) with b = sqrt(variance of p_hat / 2), the Laplace of the
     * prior's variance: its minimiser is each latent's median, which commits to the likelier future
     * where the mean averages two.
     */
    LAPLACE
  }

  /**
   * A prediction term in training (MODEL.md section 6b): after the n observed frames of a window,
   * the model rolls its state {@code frames} frames into the future with the paper's rollout, and
   * each predicted mixture scores the true frame there: {@code weight} * beta * NLL per predicted
   * frame joins the loss. Without it (the paper's training) the rollout is never scored, so the
   * temporal state learns only to help inference.
   *
   * <p>The predicted frame x_hat that the rollout feeds back as the next observation is a
   * constant to the gradient by default, as in the paper's rollout; with {@code feedbackGradient}
   * the later frames' NLL also reaches the decoder through it.
   *
   * @param frames P, predicted frames after the observed ones (0 = no prediction term)
   * @param weight each predicted frame's NLL weight relative to beta
   * @param feedbackGradient whether the gradient flows through the fed-back predicted frame
   * @param stateGradient whether a later predicted frame's NLL reaches the weights that made its
   *     state from the frame predicted before it (the rollout's state transition); off, each
   *     predicted frame's state is a constant to the gradient after its transition, so the term
   *     trains how a state is turned into a forecast and the first forecast's state, and the
   *     transition itself is trained by the observed frames alone
   * @param latentWeight the weight, relative to the KL weight psi, of a latent prediction term
   *     (MODEL.md section 6e): each true future frame is inferred as an observed frame, going on
   *     from the state the observed frames left, and the {@code latentScore} of its posterior (a
   *     constant to the gradient) under the rollout's prior at that frame joins the loss; 0 = none
   * @param latentScore how the latent term scores the true frame's posterior mean against the
   *     rollout's prior
   * @param stateWeight the weight of a state term (MODEL.md section 6e): the squared distance of
   *     the rollout's temporal hidden state after each predicted frame from the state the true
   *     frame's inference leaves (a constant to the gradient), summed over units and slots, batch
   *     mean; 0 = none
   * @param observeDraws N, the inferences of the observed frames whose temporal state the rollout
   *     starts from (MODEL.md section 6g): the clip's own and N - 1 more that share its first frames
   *     ({@link VideoInference#sharedFrames}) and draw their own noise after, averaged as
   *     {@code provide predict --observe-draws} averages them; the extra draws are constants to the
   *     gradient, which reaches the clip's own inference as without them. 1 = the state of the
   *     clip's own inference
   */
  public record Rollout(
      int frames, double weight, boolean feedbackGradient, boolean stateGradient, double latentWeight, LatentScore latentScore,
      double stateWeight, int observeDraws) {
    /** No prediction term: the paper's training. */
    public static final Rollout NONE = new Rollout(0, 0);

    /** A prediction term with no latent part. */
    public Rollout(int frames, double weight, boolean feedbackGradient, boolean stateGradient) {
      this(frames, weight, feedbackGradient, stateGradient, 0, LatentScore.KL, 0, 1);
    }

    /** A prediction term whose latent part, if any, is the KL. */
    public Rollout(int frames, double weight, boolean feedbackGradient, boolean stateGradient, double latentWeight) {
      this(frames, weight, feedbackGradient, stateGradient, latentWeight, LatentScore.KL, 0, 1);
    }

    /** A prediction term that starts its rollout from the clip's own inference. */
    public Rollout(
        int frames, double weight, boolean feedbackGradient, boolean stateGradient, double latentWeight, LatentScore latentScore,
        double stateWeight) {
      this(frames, weight, feedbackGradient, stateGradient, latentWeight, latentScore, stateWeight, 1);
    }

    /** The same term, its rollout starting from the state averaged over {@code draws} inferences. */
    public Rollout withObserveDraws(int draws) {
      return new Rollout(frames, weight, feedbackGradient, stateGradient, latentWeight, latentScore, stateWeight, draws);
    }

    /** Whether the true future frames are inferred for a latent or state term. */
    public boolean infersTargets() {
      return latentWeight > 0 || stateWeight > 0;
    }

    /** A prediction term whose fed-back frames are constants to the gradient. */
    public Rollout(int frames, double weight) {
      this(frames, weight, false);
    }

    /** A prediction term whose gradient flows through the rollout's state transitions. */
    public Rollout(int frames, double weight, boolean feedbackGradient) {
      this(frames, weight, feedbackGradient, true);
    }

    /** Validates. */
    public Rollout {
      if (frames < 0) {
        throw new IllegalArgumentException("predicted frames must be >= 0, got " + frames);
      }
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("prediction weight must be a finite number >= 0, got " + weight);
      }
      if (!(latentWeight >= 0) || Double.isInfinite(latentWeight)) {
        throw new IllegalArgumentException("latent prediction weight must be a finite number >= 0, got " + latentWeight);
      }
      if (!(stateWeight >= 0) || Double.isInfinite(stateWeight)) {
        throw new IllegalArgumentException("state prediction weight must be a finite number >= 0, got " + stateWeight);
      }
      if (latentScore == null) {
        throw new IllegalArgumentException("the latent score must be given");
      }
      if (observeDraws < 1) {
        throw new IllegalArgumentException("the rollout's observed-frame draws must be >= 1, got " + observeDraws);
      }
    }

    /** Whether the loss has a prediction term. */
    public boolean active() {
      return frames > 0;
    }
  }

  /**
   * The scalars a trainer logs for a step. Under {@link Replication} they are the means over all
   * replicas (reduced in the gradients' collective, so at no extra cost); otherwise the graph's own.
   *
   * @param predictionNll null without a {@link Rollout}
   */
  public record Logged(
      Operand<TFloat32> loss, Operand<TFloat32> nll, Operand<TFloat32> kl, Operand<TFloat32> entropy,
      Operand<TFloat32> predictionNll) {}

  public final ModelConfig config;
  public final int frames;
  /** This graph's place in data-parallel training ({@link Replication#NONE} for none). */
  public final Replication replication;
  /** The step's scalars for logs, over all replicas when replicated (null without optimiser). */
  public final Logged logged;
  /**
   * Fed 1 by a replica that wants the run to stop (time budget, Ctrl-C); defaults to 0. Null
   * unless replicated.
   */
  public final Operand<TFloat32> stopRequest;
  /**
   * Above 0 when any replica fed {@link #stopRequest} 1 in this step: every replica sees the same
   * value after the same step, so all stop together. Null unless replicated.
   */
  public final Operand<TFloat32> stopAll;
  /**
   * Makes every replica's variables (weights, Adam's moments, the step counter) the chief's, exactly.
   * Run once by every replica after the chief restored or initialised its own and the others
   * initialised theirs. Null unless replicated.
   */
  public final Op synchronize;
  /** An int64 scalar each replica feeds with its settings' fingerprint when it runs {@link #synchronize}. Null unless replicated. */
  public final Operand<TInt64> settings;
  /** The chief's {@link #settings}, fetched with {@link #synchronize}: a replica started with other settings differs. */
  public final Operand<TInt64> chiefSettings;
  /** The rollout whose prediction term is in {@link #loss} ({@link Rollout#NONE} for none). */
  public final Rollout rollout;
  /**
   * The P true frames after the observed ones, [B, P, H, W, 3], fed when the loss is fetched under
   * a {@link #rollout}; null without one. Inference outputs do not need it.
   */
  public final Placeholder<TFloat32> future;
  /** Mean over predicted frames of the NLL of the true frame under the predicted mixture (null without a rollout). */
  public final Operand<TFloat32> predictionNll;
  /**
   * Mean over predicted frames of the latent score (the KL or Laplace NLL of {@link LatentScore})
   * of the true frame's posterior under the rollout's prior, summed over slots, batch mean
   * (MODEL.md 6e); null unless the true future frames are inferred.
   */
  public final Operand<TFloat32> predictionLatent;
  /** Mean over predicted frames of the state term's distance (MODEL.md 6e); null unless the true future frames are inferred. */
  public final Operand<TFloat32> predictionState;
  public final Placeholder<TFloat32> video;
  public final Placeholder<TInt64> seed;
  public final Operand<TFloat32> klWeight;
  public final Operand<TFloat32> noiseScale;
  /** The total loss (scalar). */
  public final Operand<TFloat32> loss;
  /** Mean over frames of the last step's NLL, KL and entropy (scalars, for logs). */
  public final Operand<TFloat32> nll, kl, entropy;
  /** The last step's outputs of every frame: masks [B, n, K, H, W], reconstruction [B, n, H, W, 3]. */
  public final Operand<TFloat32> masks, reconstruction;
  /** The last step's slot means [B, n, K, H, W, 3]. */
  public final Operand<TFloat32> means;
  /** The model's variables (before any optimiser slot). */
  public final List<Output<TFloat32>> variables;
  /**
   * Every variable this graph made: the model's, Adam's moments and powers and the step counter
   * (what a checkpoint holds). In a graph with several {@link Towers}, each tower's own.
   */
  public final List<Output<?>> state;
  /** Every frame as the unroller built it, with each refinement step's outputs (for inspection). */
  public final List<Unroller.Frame> unrolled;
  /** The gradient of the loss with respect to each of {@link #variables}, before clipping (null without optimiser). */
  public final List<Operand<TFloat32>> gradients;
  /** Global norm of the gradients before clipping (null without optimiser). */
  public final Operand<TFloat32> gradientNorm;
  /** Runs one optimiser step (null without optimiser). */
  public final Op train;
  /** Adam's step size, defaults to the configured one (null without optimiser). */
  public final Operand<TFloat32> learningRate;
  /** Optimiser steps taken, a variable saved with checkpoints (null without optimiser). */
  public final Operand<TInt64> step;

  private TrainingGraph(Builder b) {
    this.config = b.config;
    this.frames = b.frames;
    this.replication = b.replication;
    this.logged = b.logged;
    this.stopRequest = b.stopRequest;
    this.stopAll = b.stopAll;
    this.synchronize = b.synchronize;
    this.settings = b.settings;
    this.chiefSettings = b.chiefSettings;
    this.rollout = b.rollout;
    this.future = b.future;
    this.predictionNll = b.predictionNll;
    this.predictionLatent = b.predictionLatent;
    this.predictionState = b.predictionState;
    this.video = b.video;
    this.seed = b.seed;
    this.klWeight = b.klWeight;
    this.noiseScale = b.noiseScale;
    this.loss = b.loss;
    this.nll = b.nll;
    this.kl = b.kl;
    this.entropy = b.entropy;
    this.masks = b.masks;
    this.reconstruction = b.reconstruction;
    this.means = b.means;
    this.variables = b.variables;
    this.state = b.state;
    this.unrolled = b.unrolled;
    this.gradients = b.gradients;
    this.gradientNorm = b.gradientNorm;
    this.train = b.train;
    this.learningRate = b.learningRate;
    this.step = b.step;
  }

  private static final class Builder {
    ModelConfig config;
    int frames;
    Rollout rollout;
    Replication replication;
    Logged logged;
    Operand<TFloat32> stopRequest, stopAll;
    Op synchronize;
    Operand<TInt64> settings, chiefSettings;
    Placeholder<TFloat32> video, future;
    Operand<TFloat32> predictionNll, predictionLatent, predictionState;
    Placeholder<TInt64> seed;
    Operand<TFloat32> klWeight, noiseScale, loss, nll, kl, entropy, masks, reconstruction, means, gradientNorm;
    List<Output<TFloat32>> variables;
    Ops gradientScope;
    AdamOptimizer adam;
    List<Output<?>> state;
    java.util.Set<String> earlierVariables;
    List<Unroller.Frame> unrolled;
    List<Operand<TFloat32>> gradients;
    Op train;
    Operand<TFloat32> learningRate;
    Operand<TInt64> step;
  }

  /**
   * Builds the graph.
   *
   * @param frames n, frames per training clip
   * @param optimization the optimiser, or null for a loss-only graph
   */
  public static TrainingGraph build(Graph g, ModelConfig c, int frames, Optimization optimization) {
    return build(g, c, frames, optimization, Unroller.Noise.STATELESS_NORMAL);
  }

  /**
   * Builds the graph with the sampling noise taken from {@code noise} instead of the seed (a seam
   * for tests that feed saved noise, such as the parity test).
   */
  public static TrainingGraph build(Graph g, ModelConfig c, int frames, Optimization optimization, Unroller.Noise noise) {
    return build(g, c, frames, optimization, noise, Rollout.NONE);
  }

  /** Builds the graph with a prediction term ({@link Rollout}) in the loss. */
  public static TrainingGraph build(Graph g, ModelConfig c, int frames, Optimization optimization, Rollout rollout) {
    return build(g, c, frames, optimization, Unroller.Noise.STATELESS_NORMAL, rollout);
  }

  /** Builds the graph with the given noise source and prediction term. */
  public static TrainingGraph build(
      Graph g, ModelConfig c, int frames, Optimization optimization, Unroller.Noise noise, Rollout rollout) {
    return build(g, c, frames, optimization, noise, rollout, Replication.NONE);
  }

  /**
   * Builds one replica's graph for data-parallel training: the gradients (and the logged
   * scalars) are averaged over the replicas before clipping, and each replica draws its own rows
   * of the noise of the global batch ({@link Unroller.Noise#replicaRows}).
   */
  public static TrainingGraph build(
      Graph g, ModelConfig c, int frames, Optimization optimization, Rollout rollout, Replication replication) {
    return build(g, c, frames, optimization, Unroller.Noise.STATELESS_NORMAL, rollout, replication);
  }

  private static TrainingGraph build(
      Graph g, ModelConfig c, int frames, Optimization optimization, Unroller.Noise noise, Rollout rollout,
      Replication replication) {
    return build(Ops.create(g), c, frames, optimization, noise, rollout, replication);
  }

  /**
   * Builds one replica on {@code tf}'s scope: the root for a single device, or a tower's sub-scope
   * and device ({@link Towers}). Its placeholders, variables and gradients are its own.
   */
  static TrainingGraph build(
      Ops tf, ModelConfig c, int frames, Optimization optimization, Unroller.Noise noise, Rollout rollout,
      Replication replication) {
    if (frames < 1) {
      throw new IllegalArgumentException("a training clip needs at least one frame, got " + frames);
    }
    Graph g = (Graph) tf.scope().env();
    Builder b = new Builder();
    b.earlierVariables = variableNames(g);
    b.config = c;
    b.frames = frames;
    b.rollout = rollout;
    b.replication = replication;
    if (replication.active()) {
      if (optimization == null) {
        throw new IllegalArgumentException("a replicated training graph needs an optimiser");
      }
      noise = Unroller.Noise.replicaRows(noise, replication.index(), replication.replicas());
    }
    int s = c.imageSize();
    b.video = tf.withName("video").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, frames, s, s, 3)));
    b.seed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    b.klWeight = tf.withName("kl_weight").placeholderWithDefault(tf.constant((float) c.loss().kl()), Shape.scalar());
    b.noiseScale = tf.withName("noise_scale").placeholderWithDefault(tf.constant(1f), Shape.scalar());

    Model model = Model.create(tf, c);
    b.variables = ownVariables(g, b.earlierVariables, TFloat32.class);
    if (optimization != null) {
      // Both scopes now, in this order (the names checkpoints hold), while the graph is small:
      // see AdamOptimizer.create.
      b.gradientScope = tf.withSubScope("optimizer");
      b.adam = AdamOptimizer.create(tf, b.variables);
    }
    Unroller unroller = new Unroller(model);
    Unroller.Controls controls = new Unroller.Controls(b.klWeight, b.noiseScale, noise);
    List<Operand<TFloat32>> x = new ArrayList<>(tf.unstack(b.video, (long) frames, Unstack.axis(1L)).output()); // n x [B, H, W, 3]
    Unroller.Carried carried = unroller.initial(tf, x.get(0));
    List<Operand<TFloat32>> weighted = new ArrayList<>();
    List<Operand<TFloat32>> nlls = new ArrayList<>(), kls = new ArrayList<>(), entropies = new ArrayList<>();
    List<Operand<TFloat32>> masks = new ArrayList<>(), recons = new ArrayList<>(), means = new ArrayList<>();
    b.unrolled = new ArrayList<>();
    int shared = VideoInference.sharedFrames(frames);
    Unroller.Carried afterShared = null; // where the extra draws of section 6g start
    for (int t = 0; t < frames; t++) {
      if (t == shared) {
        afterShared = carried;
      }
      Operand<TInt64> frameSeed = frameSeed(tf, b.seed, t);
      Unroller.Frame f =
          unroller.frame(tf.withSubScope("frame" + t), x.get(t), t, c.stepsForFrame(t), carried, frameSeed, b.seed, controls);
      b.unrolled.add(f);
      carried = f.carried();
      for (int r = 0; r < f.losses().size(); r++) {
        float w = (r + 1f) / c.refinementSteps();
        weighted.add(tf.math.mul(tf.constant(w), f.losses().get(r).total()));
      }
      Unroller.StepLoss last = f.losses().get(f.losses().size() - 1);
      nlls.add(last.nll());
      kls.add(last.kl());
      entropies.add(last.entropy());
      masks.add(tf.squeeze(f.masks(), org.tensorflow.op.core.Squeeze.axis(List.of(4L)))); // [B, K, H, W]
      recons.add(f.reconstruction()); // [B, H, W, 3]
      means.add(f.means()); // [B, K, H, W, 3]
    }
    if (rollout.active()) {
      Unroller.Carried start = rollout.observeDraws() > 1 && afterShared != null
          ? averagedOverDraws(tf.withSubScope("draws"), b, unroller, x, shared, afterShared, carried, controls)
          : carried;
      predictionTerm(tf, b, unroller, start, carried, controls, weighted);
    }
    b.loss = tf.withName("loss").math.addN(weighted);
    b.nll = tf.withName("nll").math.mean(tf.stack(nlls), tf.constant(0));
    b.kl = tf.withName("kl").math.mean(tf.stack(kls), tf.constant(0));
    b.entropy = tf.withName("entropy").math.mean(tf.stack(entropies), tf.constant(0));
    b.masks = tf.withName("masks").stack(masks, org.tensorflow.op.core.Stack.axis(1L)); // [B, n, K, H, W]
    b.reconstruction = tf.withName("reconstruction").stack(recons, org.tensorflow.op.core.Stack.axis(1L)); // [B, n, H, W, 3]
    b.means = tf.withName("means").stack(means, org.tensorflow.op.core.Stack.axis(1L)); // [B, n, K, H, W, 3]
    if (optimization != null) {
      buildOptimizer(g, tf, b, optimization);
    }
    b.state = new ArrayList<>(TrainingGraph.<org.tensorflow.types.family.TType>ownVariables(g, b.earlierVariables, null));
    if (replication.active()) {
      buildSynchronization(tf, b);
    }
    return new TrainingGraph(b);
  }

  /**
   * MODEL.md section 6b: from the state after the observed frames, P rolled-out frames (section
   * 6), each predicted mixture scoring the true frame at its place: weight * beta * NLL each.
   */
  private static void predictionTerm(
      Ops tf, Builder b, Unroller unroller, Unroller.Carried carried, Unroller.Carried observedState, Unroller.Controls controls,
      List<Operand<TFloat32>> weighted) {
    ModelConfig c = b.config;
    int p = b.rollout.frames();
    int s = c.imageSize();
    Ops ps = tf.withSubScope("prediction");
    b.future = tf.withName("future").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, p, s, s, 3)));
    List<Operand<TFloat32>> truth = new ArrayList<>(ps.unstack(b.future, (long) p, Unstack.axis(1L)).output()); // P x [B, H, W, 3]
    float w = (float) (b.rollout.weight() * c.loss().nll());
    boolean targets = b.rollout.infersTargets();
    Operand<TFloat32> wLatent = ps.math.mul(ps.constant((float) b.rollout.latentWeight()), controls.klWeight());
    Operand<TFloat32> wState = ps.constant((float) b.rollout.stateWeight());
    // carried: where the rollout starts; observedState: the clip's own inference, from which
    // section 6e infers the true future frames
    List<Operand<TFloat32>> nlls = new ArrayList<>(), scores = new ArrayList<>(), states = new ArrayList<>();
    for (int j = 0; j < p; j++) {
      Ops fs = ps.withSubScope("frame" + j);
      boolean stop = !b.rollout.feedbackGradient();
      int t = b.frames + j; // the predicted frame's position in the clip
      Operand<TInt64> seed = frameSeed(fs, b.seed, t);
      Unroller.Frame predicted = c.temporal().inferredRollout()
          ? unroller.predictFrameInferred(fs, carried, t, c.stepsForFrame(t), seed, b.seed, controls, stop) // section 6c
          : unroller.predictFrame(fs, carried, null, stop); // section 6
      carried = b.rollout.stateGradient() ? predicted.carried() : constant(fs, predicted.carried());
      Operand<TFloat32> logLikelihood = unroller.logLikelihood(fs, truth.get(j), predicted); // [B]
      Operand<TFloat32> nll = fs.math.neg(fs.math.mean(logLikelihood, fs.constant(0)));
      nlls.add(nll);
      weighted.add(fs.math.mul(fs.constant(w), nll));
      if (targets) {
        // Section 6e: the true frame inferred as observed frame t; its posterior is the target.
        Unroller.Frame target =
            unroller.frame(fs.withSubScope("target"), truth.get(j), t, c.stepsForFrame(t), observedState, seed, b.seed, controls);
        observedState = target.carried();
        Operand<TFloat32> score = latentScore(fs, c, b.rollout.latentScore(), target, predicted); // scalar
        scores.add(score);
        // The rollout's state after the frame against the one the true frame's inference leaves.
        Operand<TFloat32> distance = stateDistance(fs, c, target.carried(), predicted.carried()); // scalar
        states.add(distance);
        // A term of weight 0 is only logged: left out of the loss, it adds nothing to the backward pass.
        if (b.rollout.latentWeight() > 0) {
          weighted.add(fs.math.mul(wLatent, score));
        }
        if (b.rollout.stateWeight() > 0) {
          weighted.add(fs.math.mul(wState, distance));
        }
      }
    }
    b.predictionNll = tf.withName("prediction_nll").math.mean(tf.stack(nlls), tf.constant(0));
    if (targets) {
      b.predictionLatent = tf.withName("prediction_latent").math.mean(tf.stack(scores), tf.constant(0));
      b.predictionState = tf.withName("prediction_state").math.mean(tf.stack(states), tf.constant(0));
    }
  }

  /**
   * The latent score (MODEL.md section 6e) of a true frame's posterior q (a constant to the
   * gradient) under a predicted frame's prior p, summed over slots, batch mean.
   */
  static Operand<TFloat32> latentScore(
      Ops tf, ModelConfig c, LatentScore score, Unroller.Frame target, Unroller.Frame predicted) {
    Operand<TInt32> rows = tf.constant(new int[] {-1, c.latentSize()});
    Operand<TFloat32> muQ = tf.stopGradient(tf.reshape(target.latentMean(), rows)); // [N, D]
    Operand<TFloat32> logVarQ = tf.stopGradient(tf.reshape(target.latentLogVariance(), rows)); // [N, D]
    Operand<TFloat32> muP = tf.reshape(predicted.latentMean(), rows); // [N, D]
    Operand<TFloat32> logVarP = tf.reshape(predicted.latentLogVariance(), rows); // [N, D]
    Operand<TFloat32> perSlot = switch (score) {
      case KL -> GaussianKl.diagonal(tf, muQ, logVarQ, muP, tf.math.exp(logVarP)); // [N]
      case LAPLACE -> {
        // b = sqrt(var / 2): -log Laplace(mu_q | mu_p, b) = |mu_q - mu_p| / b + log(2 b)
        Operand<TFloat32> scale = tf.math.sqrt(tf.math.mul(tf.constant(0.5f), tf.math.exp(logVarP))); // [N, D]
        Operand<TFloat32> terms = tf.math.add(
            tf.math.div(tf.math.abs(tf.math.sub(muQ, muP)), scale), tf.math.log(tf.math.mul(tf.constant(2f), scale))); // [N, D]
        yield tf.sum(terms, tf.constant(1)); // [N]
      }
    };
    Operand<TFloat32> perSequence = tf.sum(tf.reshape(perSlot, tf.constant(new int[] {-1, c.slots()})), tf.constant(1)); // [B]
    return tf.math.mean(perSequence, tf.constant(0));
  }

  /**
   * sum over units and slots of (h_target - h_rollout)^2, batch mean, h_target a constant to the
   * gradient (MODEL.md section 6e).
   */
  static Operand<TFloat32> stateDistance(Ops tf, ModelConfig c, Unroller.Carried target, Unroller.Carried rollout) {
    Operand<TFloat32> squares =
        tf.math.squaredDifference(tf.stopGradient(target.temporal().h()), rollout.temporal().h()); // [N, L]
    Operand<TFloat32> perSequence =
        tf.sum(tf.reshape(squares, tf.constant(new int[] {-1, c.slots() * c.lstmSize()})), tf.constant(1)); // [B]
    return tf.math.mean(perSequence, tf.constant(0));
  }

  /**
   * MODEL.md section 6g: the temporal state after the observed frames, averaged over the clip's own
   * inference ({@code own}) and N - 1 more that go on from {@code afterShared}, the state after the
   * first {@code shared} frames, draw i with the clip seed + (i * stride, 0) as
   * {@link VideoInference#averagedState} seeds its draws. The value is the mean; the gradient is
   * the clip's own: own + stopGradient(mean - own).
   */
  private static Unroller.Carried averagedOverDraws(
      Ops tf, Builder b, Unroller unroller, List<Operand<TFloat32>> x, int shared, Unroller.Carried afterShared,
      Unroller.Carried own, Unroller.Controls controls) {
    ModelConfig c = b.config;
    int n = b.rollout.observeDraws();
    List<Unroller.Carried> states = new ArrayList<>(List.of(own));
    for (int i = 1; i < n; i++) {
      Ops ds = tf.withSubScope("draw" + i);
      Operand<TInt64> drawSeed = ds.math.add(b.seed, ds.constant(new long[] {i * VideoInference.DRAW_SEED_STRIDE, 0}));
      states.add(unroller.draw(ds, x, shared, b.frames, constant(ds, afterShared), drawSeed, controls));
    }
    Unroller.Carried total = Unroller.sum(tf, states);
    Operand<TFloat32> h = total.temporal().h(), cell = total.temporal().c(), lambda = total.lambda(); // [B*K, L], [B*K, L], [B*K, 2D]
    Operand<TFloat32> share = tf.constant(1f / n);
    Operand<TFloat32> meanH = ownGradient(tf, own.temporal().h(), tf.math.mul(h, share)); // [B*K, L]
    Operand<TFloat32> meanC = ownGradient(tf, own.temporal().c(), tf.math.mul(cell, share)); // [B*K, L]
    Operand<TFloat32> meanLambda = ownGradient(tf, own.lambda(), tf.math.mul(lambda, share)); // [B*K, 2D]
    return new Unroller.Carried(new Lstm2dCell.State(meanH, meanC), meanLambda);
  }

  /** The value of {@code mean} with the gradient of {@code own}: own + stopGradient(mean - own). */
  private static Operand<TFloat32> ownGradient(Ops tf, Operand<TFloat32> own, Operand<TFloat32> mean) {
    return tf.math.add(own, tf.stopGradient(tf.math.sub(mean, own)));
  }

  /** The noise seed of frame {@code t} of a clip, observed or predicted: the clip's seed + (0, (t + 1) * stride). */
  private static Operand<TInt64> frameSeed(Ops tf, Operand<TInt64> clipSeed, int t) {
    return tf.math.add(clipSeed, tf.constant(new long[] {0, (t + 1) * FRAME_SEED_STRIDE}));
  }

  /** The same state as a constant to the gradient. */
  private static Unroller.Carried constant(Ops tf, Unroller.Carried in) {
    Lstm2dCell.State t = in.temporal();
    return new Unroller.Carried(new Lstm2dCell.State(tf.stopGradient(t.h()), tf.stopGradient(t.c())), tf.stopGradient(in.lambda()));
  }

  /**
   * A rough upper estimate of the memory a training step's activations take, in bytes: per slot,
   * pixel and decoder pass, the decoder's and refinement network's feature maps, the refinement
   * inputs and the mixture's terms, 4 bytes each, 1.5 times for what the backward pass keeps.
   * Calibrated on the paper preset (batch 2, 4 frames: estimate 2.4 GB, measured peak 2.7 GiB with
   * the runtime); used to refuse sizes that cannot fit before building anything.
   */
  public static long estimatedActivationBytes(ModelConfig c, int batch, int frames) {
    int decodes = 0;
    for (int t = 0; t < frames; t++) {
      decodes += c.stepsForFrame(t);
    }
    ModelConfig.Decoder d = c.decoder();
    ModelConfig.Refinement r = c.refinement();
    double perPixel = d.convs() * (double) d.filters() + 4 + c.refinementInputChannels() + 12;
    double scale = 1;
    for (int i = 0; i < r.convs(); i++) {
      scale /= (double) r.stride() * r.stride();
      perPixel += r.filters() * scale;
    }
    double slotPixelDecodes = (double) batch * c.slots() * decodes * c.imageSize() * c.imageSize();
    return (long) Math.min(Long.MAX_VALUE, slotPixelDecodes * perPixel * 4 * 1.5);
  }

  /**
   * The same replica in {@code g}, a graph into which this one's GraphDef was imported under the
   * same names ({@link TrainingTowers}); {@link #unrolled} is left empty there.
   */
  TrainingGraph rebind(Graph g) {
    Builder b = new Builder();
    b.config = config;
    b.frames = frames;
    b.rollout = rollout;
    b.replication = replication;
    b.logged = logged == null ? null : new Logged(in(g, logged.loss()), in(g, logged.nll()), in(g, logged.kl()),
        in(g, logged.entropy()), in(g, logged.predictionNll()));
    b.stopRequest = in(g, stopRequest);
    b.stopAll = in(g, stopAll);
    b.synchronize = in(g, synchronize);
    b.settings = in(g, settings);
    b.chiefSettings = in(g, chiefSettings);
    b.future = future == null ? null : new Placeholder<>(g.operation(future.op().name()));
    b.predictionNll = in(g, predictionNll);
    b.video = new Placeholder<>(g.operation(video.op().name()));
    b.seed = new Placeholder<>(g.operation(seed.op().name()));
    b.klWeight = in(g, klWeight);
    b.noiseScale = in(g, noiseScale);
    b.loss = in(g, loss);
    b.nll = in(g, nll);
    b.kl = in(g, kl);
    b.entropy = in(g, entropy);
    b.masks = in(g, masks);
    b.reconstruction = in(g, reconstruction);
    b.means = in(g, means);
    b.variables = new ArrayList<>();
    for (Output<TFloat32> v : variables) {
      b.variables.add(in(g, v).asOutput());
    }
    b.state = new ArrayList<>();
    for (Output<?> v : state) {
      b.state.add(in(g, v).asOutput());
    }
    b.unrolled = List.of();
    if (gradients != null) {
      b.gradients = new ArrayList<>();
      for (Operand<TFloat32> v : gradients) {
        b.gradients.add(in(g, v));
      }
    }
    b.gradientNorm = in(g, gradientNorm);
    b.train = in(g, train);
    b.learningRate = in(g, learningRate);
    b.step = in(g, step);
    return new TrainingGraph(b);
  }

  /** The output of the same name and index in {@code g} (null for null). */
  private static <T extends org.tensorflow.types.family.TType> Operand<T> in(Graph g, Operand<T> o) {
    if (o == null) {
      return null;
    }
    Output<T> out = o.asOutput();
    return g.operation(out.op().name()).output(out.index());
  }

  private static Op in(Graph g, Op o) {
    if (o == null) {
      return null;
    }
    Operation op = g.operation(o.op().name());
    return () -> op;
  }

  /** The names of every VariableV2 of the graph. */
  static java.util.Set<String> variableNames(Graph g) {
    java.util.Set<String> out = new java.util.HashSet<>();
    g.operations().forEachRemaining((Operation op) -> {
      if (op.type().equals("VariableV2")) {
        out.add(op.name());
      }
    });
    return out;
  }

  /**
   * The VariableV2s of the graph not named in {@code earlier} (this replica's), in the graph's
   * order; only float ones when {@code type} is TFloat32, all when null.
   */
  @SuppressWarnings("unchecked")
  static <T extends org.tensorflow.types.family.TType> List<Output<T>> ownVariables(
      Graph g, java.util.Set<String> earlier, Class<T> type) {
    List<Output<T>> out = new ArrayList<>();
    g.operations().forEachRemaining((Operation op) -> {
      if (op.type().equals("VariableV2") && !earlier.contains(op.name())
          && (type == null || op.output(0).dataType() == org.tensorflow.proto.DataType.DT_FLOAT_REF)) {
        out.add((Output<T>) op.output(0));
      }
    });
    return out;
  }

  private static void buildOptimizer(Graph g, Ops tf, Builder b, Optimization o) {
    Ops opt = b.gradientScope;
    Output<?>[] vars = b.variables.toArray(new Output<?>[0]);
    // The prefix keeps a tower's gradient ops inside its scope, where Towers places them.
    Output<?>[] local = g.addGradients(tf.scope().makeOpName("gradients"), new Output<?>[] {b.loss.asOutput()}, vars, null);
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (int i = 0; i < local.length; i++) {
      if (local[i] == null || local[i].op() == null) {
        throw new IllegalStateException("variable " + vars[i].op().name() + " does not affect the loss");
      }
      grads.add(cast(local[i]));
    }
    b.logged = new Logged(b.loss, b.nll, b.kl, b.entropy, b.predictionNll);
    if (b.replication.active()) {
      grads = allReduce(opt, b, grads);
    }
    List<Operand<TFloat32>> squares = new ArrayList<>();
    b.gradients = grads;
    for (Operand<TFloat32> grad : grads) {
      squares.add(opt.sum(opt.math.square(grad), allAxes(opt, grad)));
    }
    Operand<TFloat32> norm = opt.withName("gradient_norm").math.sqrt(opt.math.addN(squares));
    b.gradientNorm = norm;
    Operand<TFloat32> scale =
        o.clipNorm() > 0
            ? opt.math.div(opt.constant((float) o.clipNorm()), opt.math.maximum(norm, opt.constant((float) o.clipNorm())))
            : opt.constant(1f);
    List<Operand<TFloat32>> clipped = new ArrayList<>();
    for (Operand<TFloat32> grad : grads) {
      clipped.add(opt.math.mul(grad, scale));
    }
    b.learningRate = tf.withName("learning_rate").placeholderWithDefault(tf.constant((float) o.learningRate()), Shape.scalar());
    AdamOptimizer.Update update = b.adam.update(clipped, b.learningRate);
    b.train = update.apply();
    b.step = update.step();
  }

  /**
   * MODEL.md section 11: the mean over the replicas of every gradient, of the logged scalars and of
   * the stop requests, in one fused collective. Returns the averaged gradients.
   */
  private static List<Operand<TFloat32>> allReduce(Ops opt, Builder b, List<Operand<TFloat32>> grads) {
    Ops tf = opt.withSubScope("replicas");
    b.stopRequest = tf.withName("stop_request").placeholderWithDefault(tf.constant(0f), Shape.scalar());
    List<Operand<TFloat32>> all = new ArrayList<>(grads);
    List<Operand<TFloat32>> scalars = new ArrayList<>(List.of(b.loss, b.nll, b.kl, b.entropy, b.stopRequest));
    if (b.predictionNll != null) {
      scalars.add(b.predictionNll);
    }
    all.addAll(scalars);
    Replication r = b.replication;
    List<Operand<TFloat32>> mean = dev.provide.ops.Collectives.mean(tf, all, r.group(), Replication.GRADIENTS, r.device());
    List<Operand<TFloat32>> reduced = mean.subList(grads.size(), mean.size());
    b.logged = new Logged(
        tf.withName("loss").identity(reduced.get(0)), tf.withName("nll").identity(reduced.get(1)),
        tf.withName("kl").identity(reduced.get(2)), tf.withName("entropy").identity(reduced.get(3)),
        b.predictionNll == null ? null : tf.withName("prediction_nll").identity(reduced.get(5)));
    b.stopAll = tf.withName("stop_all").identity(reduced.get(4));
    return new ArrayList<>(mean.subList(0, grads.size()));
  }

  /**
   * The chief's variables to every replica: each float variable and each int64 one summed over
   * the replicas, the chief giving its values and the others zeros (x + 0 = x, so exact), then
   * assigned. The settings fingerprints travel with the int64 variables.
   */
  @SuppressWarnings("unchecked")
  private static void buildSynchronization(Ops root, Builder b) {
    Ops tf = root.withSubScope("replicas");
    Replication r = b.replication;
    List<Output<TFloat32>> floats = new ArrayList<>();
    List<Output<TInt64>> longs = new ArrayList<>();
    for (Output<?> v : b.state) {
      if (v.dataType() == org.tensorflow.proto.DataType.DT_FLOAT_REF) {
        floats.add((Output<TFloat32>) v);
      } else if (v.dataType() == org.tensorflow.proto.DataType.DT_INT64_REF) {
        longs.add((Output<TInt64>) v);
      } else {
        throw new IllegalStateException("variable " + v.op().name() + " of type " + v.dataType() + " cannot be synchronised");
      }
    }
    b.settings = tf.withName("settings").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    List<Operand<TFloat32>> floatValues = new ArrayList<>();
    for (Output<TFloat32> v : floats) {
      floatValues.add(r.chief() ? v : tf.zerosLike(v));
    }
    List<Operand<TInt64>> longValues = new ArrayList<>();
    for (Output<TInt64> v : longs) {
      longValues.add(r.chief() ? v : tf.zerosLike(v));
    }
    longValues.add(r.chief() ? b.settings : tf.zerosLike(b.settings));
    List<Operand<TFloat32>> chiefFloats =
        dev.provide.ops.Collectives.sum(tf, floatValues, r.group(), Replication.FLOAT_STATE, r.device());
    List<Operand<TInt64>> chiefLongs =
        dev.provide.ops.Collectives.sum(tf, longValues, r.group(), Replication.INTEGER_STATE, r.device());
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < floats.size(); i++) {
      assigns.add(tf.assign(floats.get(i), chiefFloats.get(i)));
    }
    for (int i = 0; i < longs.size(); i++) {
      assigns.add(tf.assign(longs.get(i), chiefLongs.get(i)));
    }
    b.chiefSettings = tf.withName("chief_settings").identity(chiefLongs.get(longs.size()));
    b.synchronize = tf.withControlDependencies(assigns).withName("synchronize").noOp();
  }

  private static Operand<org.tensorflow.types.TInt32> allAxes(Ops tf, Operand<TFloat32> x) {
    return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast(Output<?> o) {
    return (Operand<TFloat32>) o;
  }
}
