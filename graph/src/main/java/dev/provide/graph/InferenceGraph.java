package dev.provide.graph;

import dev.provide.ops.Lstm2dCell;
import dev.provide.ops.Shapes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph for decomposing video one frame at a time, with no optimiser: given a frame and the
 * state carried from the previous frame (the temporal 2D-LSTM state per slot, and lambda for
 * SEQ-IODINE), it refines that frame and returns its decomposition and the next state. Because
 * the number of refinement steps depends on the frame index, there is one sub-graph per distinct
 * step count of the schedule (all sharing the model's variables); the caller picks it with
 * {@link ModelConfig#stepsForFrame}. A prediction sub-graph rolls the model into the future.
 *
 * <p>Any sequence length runs through the same graph, and the same graph serves a live stream.
 * Variable names equal the training graph's, so a training checkpoint restores into it.
 */
public final class InferenceGraph {
  static {
    dev.provide.ops.NativeLogLevel.apply(); // before TensorFlow's natives start: errors only, unless the user set a level
  }

  /**
   * The outputs of one frame.
   *
   * @param masks [B, K, H, W]
   * @param means [B, K, H, W, 3]
   * @param reconstruction [B, H, W, 3]
   * @param segmentation argmax slot [B, H, W] (int32)
   * @param latents posterior means of z [B, K, D]
   * @param latentLogVariance [B, K, D]
   * @param nextH next temporal hidden state [B, K, L]
   * @param nextC next temporal memory [B, K, L]
   * @param nextLambda final lambda [B, K, 2D]
   * @param logLikelihood log p(x | z) of each sequence's frame under the final mixture [B] (for
   *     the prediction sub-graph: of the predicted frame under its own mixture)
   */
  public record Outputs(
      Operand<TFloat32> masks,
      Operand<TFloat32> means,
      Operand<TFloat32> reconstruction,
      Operand<TInt32> segmentation,
      Operand<TFloat32> latents,
      Operand<TFloat32> latentLogVariance,
      Operand<TFloat32> nextH,
      Operand<TFloat32> nextC,
      Operand<TFloat32> nextLambda,
      Operand<TFloat32> logLikelihood) {}

  public final ModelConfig config;
  /** The frame [B, H, W, 3] in [0, 1]. */
  public final Placeholder<TFloat32> frame;
  /** Temporal state in [B, K, L] (zeros before the first frame). */
  public final Placeholder<TFloat32> stateH, stateC;
  /** lambda in [B, K, 2D] (SEQ-IODINE carries it; the first frame takes {@link #lambda0}). */
  public final Placeholder<TFloat32> lambda;
  /** This frame's noise seed [2]. */
  public final Placeholder<TInt64> seed;
  /** The clip's first-sample seed [2] (only used by the reference option reuseFirstSample). */
  public final Placeholder<TInt64> firstSeed;
  /** 1 samples z, 0 decodes the posterior mean. */
  public final Operand<TFloat32> noiseScale;
  /** lambda_0 of every slot [K, 2D] (row 0 is the background slot's when there is one). */
  public final Operand<TFloat32> lambda0;
  /** Outputs by the number of refinement steps. */
  public final Map<Integer, Outputs> byStepCount;
  /** The prediction of the next frame from the state alone (frame and seeds not needed). */
  public final Outputs predict;
  /**
   * The prediction's noise scale (default 0): 0 decodes the prior mean (the paper's rollout), 1 a
   * draw from the prior with {@link #predictSeed}.
   */
  public final Operand<TFloat32> predictNoiseScale;
  /** The predicted frame's noise seed [2] (default 0, 0; only read with a {@link #predictNoiseScale}). */
  public final Operand<TInt64> predictSeed;
  /**
   * The sharpness s of the frame a prediction feeds back as its observation (default 1, the
   * predicted frame itself; Unroller's predictFrame with a feedback sharpness).
   */
  public final Operand<TFloat32> predictFeedbackSharpness;

  private InferenceGraph(ModelConfig config, Placeholder<TFloat32> frame, Placeholder<TFloat32> stateH,
      Placeholder<TFloat32> stateC, Placeholder<TFloat32> lambda, Placeholder<TInt64> seed, Placeholder<TInt64> firstSeed,
      Operand<TFloat32> noiseScale, Operand<TFloat32> lambda0, Map<Integer, Outputs> byStepCount, Outputs predict,
      Operand<TFloat32> predictNoiseScale, Operand<TInt64> predictSeed, Operand<TFloat32> predictFeedbackSharpness) {
    this.config = config;
    this.frame = frame;
    this.stateH = stateH;
    this.stateC = stateC;
    this.lambda = lambda;
    this.seed = seed;
    this.firstSeed = firstSeed;
    this.noiseScale = noiseScale;
    this.lambda0 = lambda0;
    this.byStepCount = byStepCount;
    this.predict = predict;
    this.predictNoiseScale = predictNoiseScale;
    this.predictSeed = predictSeed;
    this.predictFeedbackSharpness = predictFeedbackSharpness;
  }

  /** Builds the graph in {@code g}. */
  public static InferenceGraph build(Graph g, ModelConfig c) {
    Ops tf = Ops.create(g);
    int s = c.imageSize(), k = c.slots(), l = c.lstmSize(), d = c.latentSize();
    Placeholder<TFloat32> frame = tf.withName("frame").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s, s, 3)));
    Placeholder<TFloat32> stateH = tf.withName("state_h").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, l)));
    Placeholder<TFloat32> stateC = tf.withName("state_c").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, l)));
    Placeholder<TFloat32> lambda = tf.withName("lambda").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, 2L * d)));
    Placeholder<TInt64> seed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    Placeholder<TInt64> firstSeed = tf.withName("first_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    Operand<TFloat32> noiseScale = tf.withName("noise_scale").placeholderWithDefault(tf.constant(1f), Shape.scalar());

    Model model = Model.create(tf, c);
    Unroller unroller = new Unroller(model);
    Unroller.Controls controls = new Unroller.Controls(tf.constant((float) c.loss().kl()), noiseScale, Unroller.Noise.sameForEveryVideo(k));
    Lstm2dCell.State state = new Lstm2dCell.State(perSlotRows(tf, stateH, l), perSlotRows(tf, stateC, l));
    Unroller.Carried in = new Unroller.Carried(state, perSlotRows(tf, lambda, 2 * d));

    TreeSet<Integer> counts = new TreeSet<>();
    for (int t = 0; t <= c.refinementSteps(); t++) {
      counts.add(c.stepsForFrame(t));
    }
    Map<Integer, Outputs> byCount = new LinkedHashMap<>();
    for (int steps : counts) {
      Ops scope = tf.withSubScope("steps" + steps);
      Unroller.Frame f = unroller.frame(scope, frame, -1, steps, in, seed, firstSeed, controls);
      byCount.put(steps, outputs(scope, f, k, l, d));
    }
    Ops ps = tf.withSubScope("predict");
    Operand<TFloat32> predictNoiseScale = tf.withName("predict_noise_scale").placeholderWithDefault(tf.constant(0f), Shape.scalar());
    Operand<TInt64> predictSeed = tf.withName("predict_seed").placeholderWithDefault(tf.constant(new long[] {0, 0}), Shape.of(2));
    Operand<TInt32> latentShape = tf.stack(List.of(Shapes.batchSize(tf, in.temporal().h()), tf.constant(d))); // [N, D]
    Operand<TFloat32> eps = tf.math.mul(tf.random.statelessRandomNormal(latentShape, predictSeed), predictNoiseScale); // [N, D]
    Operand<TFloat32> feedbackSharpness = tf.withName("predict_feedback_sharpness").placeholderWithDefault(tf.constant(1f), Shape.scalar());
    Outputs predict = outputs(ps, unroller.predictFrame(ps, in, eps, true, feedbackSharpness), k, l, d);
    return new InferenceGraph(c, frame, stateH, stateC, lambda, seed, firstSeed, noiseScale,
        tf.identity(model.slotLambda0(tf)), byCount, predict, predictNoiseScale, predictSeed, feedbackSharpness);
  }

  private static Outputs outputs(Ops tf, Unroller.Frame f, int k, int l, int d) {
    Operand<TFloat32> masks = tf.withName("masks").squeeze(f.masks(), Squeeze.axis(List.of(4L))); // [B, K, H, W]
    Operand<TInt32> segmentation = tf.withName("segmentation").math.argMax(masks, tf.constant(1), TInt32.class); // [B, H, W]
    return new Outputs(
        masks,
        tf.withName("means").identity(f.means()),
        tf.withName("reconstruction").identity(f.reconstruction()),
        segmentation,
        tf.withName("latents").identity(f.latentMean()),
        tf.withName("latent_log_variance").identity(f.latentLogVariance()),
        tf.withName("next_state_h").reshape(f.carried().temporal().h(), tf.constant(new int[] {-1, k, l})),
        tf.withName("next_state_c").reshape(f.carried().temporal().c(), tf.constant(new int[] {-1, k, l})),
        tf.withName("next_lambda").reshape(f.carried().lambda(), tf.constant(new int[] {-1, k, 2 * d})),
        tf.withName("log_likelihood").identity(f.logLikelihood()));
  }

  /** [B, K, X] -> [B * K, X]. */
  private static Operand<TFloat32> perSlotRows(Ops tf, Operand<TFloat32> x, int width) {
    return tf.reshape(x, tf.constant(new int[] {-1, width}));
  }

  /** The sub-graph for frame {@code t} of a sequence. */
  public Outputs forFrame(int t) {
    return byStepCount.get(config.stepsForFrame(t));
  }
}
