package dev.provide.export;

import dev.provide.graph.Model;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.Mode;
import dev.provide.graph.TrainingGraph;
import dev.provide.graph.Unroller;
import dev.provide.graph.VideoInference;
import dev.provide.ops.Lstm2dCell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The lean graph a SavedModel is exported from (no loss, no optimiser), with six signatures, all
 * with method name {@code tensorflow/serving/predict}:
 *
 * <ul>
 *   <li>{@code serving_default} (decompose): {@code video} [batch, F, H, W, 3] -> {@code masks}
 *       [batch, F, K, H, W], {@code means} [batch, F, K, H, W, 3], {@code reconstruction} [batch,
 *       F, H, W, 3], {@code latents} [batch, F, K, D], {@code segmentation} int32 [batch, F, H, W];
 *   <li>{@code predict}: {@code video} [batch, F, H, W, 3] -> the next P frames: {@code
 *       future_frames} [batch, P, H, W, 3], {@code future_masks} [batch, P, K, H, W], {@code
 *       future_means} [batch, P, K, H, W, 3]; built with observe draws N > 1, the rollout starts from
 *       the state averaged over N inferences of the observed frames (MODEL.md section 6f);
 *   <li>{@code step} (online decomposition): {@code frame} [batch, H, W, 3], {@code frame_index}
 *       int64 scalar, {@code state_h}, {@code state_c} [batch, K, L], {@code state_lambda} [batch,
 *       K, 2D] -> the frame's {@code masks}, {@code means}, {@code reconstruction}, {@code latents},
 *       {@code segmentation} and {@code next_state_h}, {@code next_state_c}, {@code
 *       next_state_lambda}; the refinement schedule is chosen from {@code frame_index} in the graph;
 *   <li>{@code step_draw}: {@code step} with one more input, {@code draw} int64 scalar i >= 0, whose
 *       noise is draw i's (seed base 1 + i * 7919; i = 0 is {@code step}); a client that averages
 *       the states of draws 1..N after the shared frames rolls out as {@code provide predict
 *       --observe-draws N} does (MODEL.md section 6f);
 *   <li>{@code predict_step}: the state -> one predicted frame ({@code frame}, {@code masks},
 *       {@code means}, {@code segmentation}) and the next state; for a model with the inferred
 *       rollout (MODEL.md section 6c) also {@code frame_index}, the predicted frame's position;
 *   <li>{@code initial_state}: {@code batch_size} int32 scalar -> the state before frame 0.
 * </ul>
 *
 * F and P are fixed when the graph is built (the graph is unrolled); {@code step} serves any
 * length. The noise of frame t uses the seed (1, (t + 1) * 1000), as {@code provide evaluate}
 * does with its default seed, so served results equal the command line's.
 */
public final class ServingGraph {
  /** The noise seed base of served results. */
  public static final long SEED = 1;
  /** Method name TensorFlow Serving's Predict API expects. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  /** The signatures, in export order. */
  public final List<Signature> signatures;
  /** The signatures by key. */
  public final Map<String, Signature> byKey;

  private ServingGraph(List<Signature> signatures) {
    this.signatures = signatures;
    this.byKey = new LinkedHashMap<>();
    signatures.forEach(s -> byKey.put(s.key(), s));
  }

  /** The most frames the clip signatures unroll (graph size grows with every frame). */
  public static final int MAX_UNROLLED_FRAMES = 512;

  /**
   * Checks the clip signatures' frame counts.
   *
   * @throws IllegalArgumentException unless {@code frames >= 1}, {@code future >= 1} and their sum is at most
   *     {@link #MAX_UNROLLED_FRAMES}
   */
  public static void checkFrames(int frames, int future) {
    checkFrames(frames, future, 1);
  }

  /**
   * Checks the clip signatures' frame counts with {@code observeDraws} draws of the observed frames
   * before {@code predict}'s rollout (MODEL.md section 6f), each of which unrolls the frames after
   * the shared ones again.
   *
   * @throws IllegalArgumentException unless {@code frames >= 1}, {@code future >= 1}, {@code
   *     observeDraws >= 1} and all the frames unrolled are at most {@link #MAX_UNROLLED_FRAMES}
   */
  public static void checkFrames(int frames, int future, int observeDraws) {
    if (frames < 1 || future < 1) {
      throw new IllegalArgumentException("frames and future must be >= 1, got " + frames + " and " + future);
    }
    if (observeDraws < 1) {
      throw new IllegalArgumentException("observe draws must be >= 1, got " + observeDraws);
    }
    long drawn = drawnFrames(frames, observeDraws);
    if ((long) frames + future + drawn > MAX_UNROLLED_FRAMES) {
      throw new IllegalArgumentException("the clip signatures unroll every frame into the graph: frames + future"
          + (drawn > 0 ? " + the draws' frames" : "") + " must be at most " + MAX_UNROLLED_FRAMES + ", got " + frames + " + " + future
          + (drawn > 0 ? " + " + drawn : "") + " (the step signature takes videos of any length, a frame a call)");
    }
  }

  /** Frames the draws of the {@code predict} signature unroll: each draw those after the shared ones (none for one draw). */
  private static long drawnFrames(int frames, int observeDraws) {
    return observeDraws == 1 ? 0 : (long) observeDraws * (frames - VideoInference.sharedFrames(frames));
  }

  /**
   * Builds the serving graph in {@code g}.
   *
   * @param frames F, frames of {@code serving_default} and {@code predict}
   * @param future P, frames {@code predict} returns
   */
  public static ServingGraph build(Graph g, ModelConfig c, int frames, int future) {
    return build(g, c, frames, future, 1);
  }

  /**
   * Builds the serving graph in {@code g}, the {@code predict} signature rolling out from the state
   * averaged over {@code observeDraws} inferences of the observed frames (MODEL.md section 6f; 1:
   * from the decomposition's own state, as the paper).
   *
   * @param frames F, frames of {@code serving_default} and {@code predict}
   * @param future P, frames {@code predict} returns
   */
  public static ServingGraph build(Graph g, ModelConfig c, int frames, int future, int observeDraws) {
    checkFrames(frames, future, observeDraws);
    Ops tf = Ops.create(g);
    Model model = Model.create(tf, c);
    Unroller u = new Unroller(model);
    int s = c.imageSize(), k = c.slots(), l = c.lstmSize(), d = c.latentSize();
    Unroller.Controls controls =
        new Unroller.Controls(tf.constant((float) c.loss().kl()), tf.constant(1f), Unroller.Noise.sameForEveryVideo(k));
    List<Signature> sigs = new ArrayList<>();

    // serving_default and predict: a clip unrolled over F frames, then P predicted frames.
    Ops clip = tf.withSubScope("clip");
    Placeholder<TFloat32> video = clip.withName("video").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, frames, s, s, 3)));
    List<Operand<TFloat32>> x = new ArrayList<>(clip.unstack(checkedPixels(clip, video, "video"), (long) frames, Unstack.axis(1L)).output());
    Unroller.Carried carried = u.initial(clip, x.get(0));
    Operand<TInt64> first = clip.constant(new long[] {SEED, 0});
    List<Unroller.Frame> out = new ArrayList<>();
    int shared = VideoInference.sharedFrames(frames);
    Unroller.Carried afterShared = null;
    for (int t = 0; t < frames; t++) {
      Operand<TInt64> seed = clip.constant(new long[] {SEED, (t + 1) * TrainingGraph.FRAME_SEED_STRIDE});
      Unroller.Frame f = u.frame(clip.withSubScope("frame" + t), x.get(t), t, c.stepsForFrame(t), carried, seed, first, controls);
      out.add(f);
      carried = f.carried();
      if (t == shared - 1) {
        afterShared = carried;
      }
    }
    sigs.add(Signature.builder().key(Signature.DEFAULT_KEY).methodName(PREDICT_METHOD)
        .input("video", video)
        .output("masks", stack(clip, out, f -> squeezeLast(clip, f.masks())))
        .output("means", stack(clip, out, Unroller.Frame::means))
        .output("reconstruction", stack(clip, out, Unroller.Frame::reconstruction))
        .output("latents", stack(clip, out, Unroller.Frame::latentMean))
        .output("segmentation", stack(clip, out, f -> clip.math.argMax(squeezeLast(clip, f.masks()), clip.constant(1), TInt32.class)))
        .build());
    if (drawnFrames(frames, observeDraws) > 0) {
      carried = averagedOverDraws(tf.withSubScope("draws"), u, x, shared, afterShared, observeDraws, controls);
    }
    List<Unroller.Frame> predicted = new ArrayList<>();
    Ops pred = tf.withSubScope("future");
    for (int j = 0; j < future; j++) {
      int t = frames + j; // the predicted frame's position in the clip
      Ops fs = pred.withSubScope("frame" + j);
      Unroller.Frame f = c.temporal().inferredRollout()
          ? u.predictFrameInferred(fs, carried, t, c.stepsForFrame(t),
              fs.constant(new long[] {SEED, (t + 1) * TrainingGraph.FRAME_SEED_STRIDE}), first, controls, true) // MODEL.md 6c
          : u.predictFrame(fs, carried); // MODEL.md 6
      predicted.add(f);
      carried = f.carried();
    }
    sigs.add(Signature.builder().key("predict").methodName(PREDICT_METHOD)
        .input("video", video)
        .output("future_frames", stack(pred, predicted, Unroller.Frame::reconstruction))
        .output("future_masks", stack(pred, predicted, f -> squeezeLast(pred, f.masks())))
        .output("future_means", stack(pred, predicted, Unroller.Frame::means))
        .build());

    // step, predict_step and initial_state: one frame of a stream, with its state.
    Ops st = tf.withSubScope("stream");
    Placeholder<TFloat32> frame = st.withName("frame").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s, s, 3)));
    Placeholder<TInt64> index = st.withName("frame_index").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    Placeholder<TFloat32> h = st.withName("state_h").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, l)));
    Placeholder<TFloat32> cc = st.withName("state_c").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, l)));
    Placeholder<TFloat32> lam = st.withName("state_lambda").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, k, 2L * d)));
    Operand<TInt64> checkedIndex = checked(st, index, st.math.greaterEqual(index, st.constant(0L)),
        "frame_index: the position of the frame in its video must be >= 0");
    Operand<TFloat32> checkedFrame = checkedPixels(st, frame, "frame");
    // step_draw is step with the noise of draw i (MODEL.md 6f): the seed base SEED + i * stride.
    // The draw index is a placeholder with the default 0, so step (which does not take it) is draw 0.
    PlaceholderWithDefault<TInt64> draw = st.withName("draw").placeholderWithDefault(st.constant(0L), Shape.scalar());
    Operand<TInt64> checkedDraw = checked(st, draw, st.math.greaterEqual(draw, st.constant(0L)),
        "draw: the index of the draw must be >= 0 (draw 0 is the noise of the step signature)");
    Operand<TInt64> seedBase = st.math.add(st.constant(SEED), st.math.mul(checkedDraw, st.constant(VideoInference.DRAW_SEED_STRIDE)));
    Map<String, Operand<?>> stepped = streamFrame(st, u, c, controls, checkedFrame, checkedIndex, seedBase, h, cc, lam);
    Signature.Builder step = Signature.builder().key("step").methodName(PREDICT_METHOD)
        .input("frame", frame).input("frame_index", index).input("state_h", h).input("state_c", cc).input("state_lambda", lam);
    stepped.forEach(step::output);
    sigs.add(step.build());
    Signature.Builder stepDraw = Signature.builder().key("step_draw").methodName(PREDICT_METHOD)
        .input("frame", frame).input("frame_index", index).input("draw", draw)
        .input("state_h", h).input("state_c", cc).input("state_lambda", lam);
    stepped.forEach(stepDraw::output);
    sigs.add(stepDraw.build());

    Ops ps = tf.withSubScope("predict_step");
    Unroller.Frame next = u.predictFrame(ps, new Unroller.Carried(new Lstm2dCell.State(rows(ps, h, l), rows(ps, cc, l)), rows(ps, lam, 2 * d)));
    Signature.Builder predictStep = Signature.builder().key("predict_step").methodName(PREDICT_METHOD)
        .input("state_h", h).input("state_c", cc).input("state_lambda", lam)
        .output("frame", next.reconstruction())
        .output("masks", squeezeLast(ps, next.masks()))
        .output("means", next.means())
        .output("segmentation", ps.math.argMax(squeezeLast(ps, next.masks()), ps.constant(1), TInt32.class));
    if (c.temporal().inferredRollout()) {
      // MODEL.md 6c: the state goes on from the predicted frame inferred as an observed one at its
      // position frame_index, exactly as the step signature would infer it.
      Map<String, Operand<?>> inferred =
          streamFrame(ps.withSubScope("inferred"), u, c, controls, next.reconstruction(), checkedIndex, ps.constant(SEED), h, cc, lam);
      predictStep.input("frame_index", index)
          .output("next_state_h", inferred.get("next_state_h"))
          .output("next_state_c", inferred.get("next_state_c"))
          .output("next_state_lambda", inferred.get("next_state_lambda"));
    } else {
      predictStep
          .output("next_state_h", perSlot(ps, next.carried().temporal().h(), k, l))
          .output("next_state_c", perSlot(ps, next.carried().temporal().c(), k, l))
          .output("next_state_lambda", perSlot(ps, next.carried().lambda(), k, 2 * d));
    }
    sigs.add(predictStep.build());

    Ops is = tf.withSubScope("initial_state");
    Placeholder<TInt32> batch = is.withName("batch_size").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    Operand<TFloat32> zeros = is.zeros(is.stack(List.of(batch, is.constant(k), is.constant(l))), TFloat32.class);
    Operand<TFloat32> lambda0 = is.tile(is.expandDims(model.slotLambda0(is), is.constant(0)),
        is.stack(List.of(batch, is.constant(1), is.constant(1)))); // [B, K, 2D]
    sigs.add(Signature.builder().key("initial_state").methodName(PREDICT_METHOD)
        .input("batch_size", batch)
        .output("state_h", is.identity(zeros)).output("state_c", is.identity(zeros)).output("state_lambda", lambda0)
        .build());
    return new ServingGraph(sigs);
  }

  /**
   * MODEL.md section 6f in the clip graph: the state after the observed frames {@code x}, averaged
   * over {@code draws} inferences that go on from {@code afterShared}, the state after the first
   * {@code shared} frames, draw i (1..draws) with the clip seed (SEED + i * stride, 0), as
   * {@code provide predict --observe-draws} with {@code --seed} SEED averages them.
   */
  private static Unroller.Carried averagedOverDraws(Ops tf, Unroller u, List<Operand<TFloat32>> x, int shared,
      Unroller.Carried afterShared, int draws, Unroller.Controls controls) {
    List<Unroller.Carried> states = new ArrayList<>();
    for (int i = 1; i <= draws; i++) {
      Ops ds = tf.withSubScope("draw" + i);
      states.add(u.draw(ds, x, shared, x.size(), afterShared, ds.constant(new long[] {SEED + i * VideoInference.DRAW_SEED_STRIDE, 0}), controls));
    }
    Unroller.Carried total = Unroller.sum(tf, states);
    Operand<TFloat32> share = tf.constant(1f / draws);
    return new Unroller.Carried(
        new Lstm2dCell.State(tf.math.mul(total.temporal().h(), share), tf.math.mul(total.temporal().c(), share)), // [B*K, L] each
        tf.math.mul(total.lambda(), share)); // [B*K, 2D]
  }

  /**
   * One frame of a stream inferred at its position {@code index}: a branch per refinement-step
   * count of the schedule, the one for {@code index} taken in the graph. Its outputs by the step
   * signature's names (masks, means, reconstruction, latents, segmentation, next_state_*).
   *
   * @param seedBase int64 scalar, the first part of the noise seed: frame t draws with (seedBase, (t + 1) * stride)
   */
  private static Map<String, Operand<?>> streamFrame(Ops st, Unroller u, ModelConfig c, Unroller.Controls controls,
      Operand<TFloat32> frame, Operand<TInt64> index, Operand<TInt64> seedBase, Operand<TFloat32> h, Operand<TFloat32> cc,
      Operand<TFloat32> lam) {
    int k = c.slots(), l = c.lstmSize(), d = c.latentSize();
    Operand<TInt64> frameSeed =
        st.stack(List.of(seedBase, st.math.mul(st.math.add(index, st.constant(1L)), st.constant(TrainingGraph.FRAME_SEED_STRIDE))));
    Operand<TInt64> firstSeed = st.stack(List.of(seedBase, st.constant(0L)));
    Operand<TInt64> steps = stepsForFrame(st, c, index);
    TreeSet<Integer> counts = new TreeSet<>();
    for (int t = 0; t <= c.refinementSteps(); t++) {
      counts.add(c.stepsForFrame(t));
    }
    Map<String, List<Operand<TFloat32>>> branches = new LinkedHashMap<>();
    List<Operand<TInt32>> segmentations = new ArrayList<>();
    for (int n : counts) {
      Ops b = st.withSubScope("steps" + n);
      Operand<TBool> taken = b.math.equal(steps, b.constant((long) n));
      Operand<TFloat32> bf = b.switchCond(frame, taken).outputTrue();
      Unroller.Carried in = new Unroller.Carried(
          new Lstm2dCell.State(rows(b, b.switchCond(h, taken).outputTrue(), l), rows(b, b.switchCond(cc, taken).outputTrue(), l)),
          rows(b, b.switchCond(lam, taken).outputTrue(), 2 * d));
      Operand<TInt64> bs = b.switchCond(frameSeed, taken).outputTrue();
      Unroller.Frame f = u.frame(b, bf, -1, n, in, bs, b.switchCond(firstSeed, taken).outputTrue(), controls);
      Operand<TFloat32> masks = squeezeLast(b, f.masks());
      add(branches, "masks", masks);
      add(branches, "means", f.means());
      add(branches, "reconstruction", f.reconstruction());
      add(branches, "latents", f.latentMean());
      add(branches, "next_state_h", perSlot(b, f.carried().temporal().h(), k, l));
      add(branches, "next_state_c", perSlot(b, f.carried().temporal().c(), k, l));
      add(branches, "next_state_lambda", perSlot(b, f.carried().lambda(), k, 2 * d));
      segmentations.add(b.math.argMax(masks, b.constant(1), TInt32.class));
    }
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    branches.forEach((name, ops) -> out.put(name, merge(st, ops)));
    out.put("segmentation", merge(st, segmentations));
    return out;
  }

  /** The number of refinement steps of frame {@code t}, in the graph (ModelConfig#stepsForFrame). */
  private static Operand<TInt64> stepsForFrame(Ops tf, ModelConfig c, Operand<TInt64> t) {
    long r = c.refinementSteps(), floor = c.scheduleFloor();
    if (c.mode() == Mode.SEQ_IODINE) {
      return tf.select(tf.math.equal(t, tf.constant(0L)), tf.constant(r), tf.constant(floor));
    }
    if (!c.temporal().decreasingSchedule()) {
      return tf.constant(r);
    }
    return tf.math.maximum(tf.constant(floor), tf.math.sub(tf.constant(r), t));
  }

  private static <T extends TType> Operand<T> merge(Ops tf, List<Operand<T>> alternatives) {
    return tf.identity(tf.merge(alternatives).output());
  }

  private static void add(Map<String, List<Operand<TFloat32>>> m, String name, Operand<TFloat32> op) {
    m.computeIfAbsent(name, n -> new ArrayList<>()).add(op);
  }

  private static <T extends TType> Operand<T> stack(Ops tf, List<Unroller.Frame> frames, java.util.function.Function<Unroller.Frame, Operand<T>> f) {
    List<Operand<T>> parts = new ArrayList<>();
    frames.forEach(fr -> parts.add(f.apply(fr)));
    return tf.stack(parts, Stack.axis(1L));
  }

  private static Operand<TFloat32> squeezeLast(Ops tf, Operand<TFloat32> masks) {
    return tf.squeeze(masks, Squeeze.axis(List.of(4L))); // [B, K, H, W, 1] -> [B, K, H, W]
  }

  private static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> x, int width) {
    return tf.reshape(x, tf.constant(new int[] {-1, width})); // [B, K, X] -> [B * K, X]
  }

  private static Operand<TFloat32> perSlot(Ops tf, Operand<TFloat32> x, int k, int width) {
    return tf.reshape(x, tf.constant(new int[] {-1, k, width})); // [B * K, X] -> [B, K, X]
  }

  /**
   * {@code x} itself, once every value of it is checked to lie in [0, 1]: NaN, infinities and
   * values outside fail the call with a message that names the input.
   */
  static Operand<TFloat32> checkedPixels(Ops tf, Operand<TFloat32> x, String name) {
    // The shape first (the placeholder's static shape, every known dimension), so that a wrong
    // shape is reported as such and not as bad values.
    long[] dims = x.shape().asArray();
    StringBuilder want = new StringBuilder();
    List<Operand<TBool>> same = new ArrayList<>();
    Operand<TInt32> actual = tf.shape(x);
    same.add(tf.math.equal(tf.rank(x), tf.constant(dims.length)));
    for (int i = 0; i < dims.length; i++) {
      want.append(i == 0 ? "" : ", ").append(dims[i] < 0 ? "batch" : Long.toString(dims[i]));
    }
    Operand<TBool> rankOk = same.get(0);
    x = checked(tf, x, rankOk, name + ": must have shape [" + want + "]", actual);
    List<Operand<TBool>> dimsOk = new ArrayList<>();
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] >= 0) {
        Operand<TInt32> d = tf.gather(actual, tf.constant(i), tf.constant(0));
        dimsOk.add(tf.math.equal(d, tf.constant((int) dims[i])));
      }
    }
    if (!dimsOk.isEmpty()) {
      Operand<TBool> all = tf.reduceAll(tf.stack(dimsOk), tf.constant(0));
      x = checked(tf, x, all, name + ": must have shape [" + want + "]", actual);
    }
    Operand<TBool> inRange = tf.math.logicalAnd(tf.math.greaterEqual(x, tf.constant(0f)), tf.math.lessEqual(x, tf.constant(1f)));
    Operand<TBool> all = tf.reduceAll(inRange, tf.range(tf.constant(0), tf.rank(x), tf.constant(1)));
    return checked(tf, x, all, name + ": every value must be a finite number in [0, 1] (NaN, infinities and values outside are refused)");
  }

  /**
   * {@code x} itself, after an assertion of {@code condition} that fails with {@code message}
   * (followed by the values of {@code shown}, such as the actual shape).
   */
  private static <T extends TType> Operand<T> checked(Ops tf, Operand<T> x, Operand<TBool> condition, String message, Operand<?>... shown) {
    List<Operand<?>> data = new ArrayList<>();
    data.add(tf.constant(message));
    data.addAll(List.of(shown));
    org.tensorflow.op.core.AssertThat check = tf.assertThat(condition, data);
    return tf.withControlDependencies(List.of(check)).identity(x);
  }
}
