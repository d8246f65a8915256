package dev.provide.graph;

import dev.provide.ops.Tensors;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Runs an {@link InferenceGraph} in a session over plain Java arrays: whole clips frame by frame,
 * one frame of a live stream at a time, or predicted future frames. The noise of frame t uses the
 * seed (seed, (t + 1) * 1000), as in training, so results are reproducible.
 *
 * <p>Not thread-safe by itself; a {@link Session} may be shared by several instances.
 */
public final class VideoInference {
  private final Session session;
  private final InferenceGraph graph;
  private final ModelConfig c;
  /**
   * The sampling-noise scale with which the inferred rollout (MODEL.md section 6c) infers each
   * predicted frame: 1, as training infers it.
   */
  static final float ROLLOUT_INFERENCE_NOISE = 1f;

  /** Runs {@code graph} in {@code session} (which holds the model's weights). */
  public VideoInference(Session session, InferenceGraph graph) {
    this.session = session;
    this.graph = graph;
    this.c = graph.config;
  }

  /**
   * The state carried between frames of B streams.
   *
   * @param h temporal hidden state [B, K, L]
   * @param c temporal memory [B, K, L]
   * @param lambda posterior parameters [B, K, 2D]
   * @param nextFrame index of the next frame of the stream
   */
  public record State(float[] h, float[] c, float[] lambda, int batch, long nextFrame) {}

  /**
   * One frame's decomposition.
   *
   * @param masks [B, K, H, W]
   * @param means [B, K, H, W, 3]
   * @param reconstruction [B, H, W, 3]
   * @param segmentation [B, H, W]
   * @param latents [B, K, D]
   * @param logLikelihood log p(x | z) of each stream's frame [B]
   */
  public record FrameResult(float[] masks, float[] means, float[] reconstruction, int[] segmentation, float[] latents,
      float[] logLikelihood, State next) {}

  /**
   * A clip's decomposition, frame-major per example.
   *
   * @param masks [B, F, K, H, W]
   * @param means [B, F, K, H, W, 3]
   * @param reconstruction [B, F, H, W, 3]
   * @param segmentation [B, F, H, W]
   * @param latents [B, F, K, D]
   * @param logLikelihood log p(x | z) of each frame [B, F]
   */
  public record Clip(float[] masks, float[] means, float[] reconstruction, int[] segmentation, float[] latents,
      float[] logLikelihood, int batch, int frames, State last) {
    /** This clip's frames followed by {@code next}'s, per example (the state is {@code next}'s). */
    public Clip then(Clip next) {
      if (next.batch() != batch) {
        throw new IllegalArgumentException("clips of batch " + batch + " and " + next.batch());
      }
      return new Clip(join(masks, next.masks), join(means, next.means), join(reconstruction, next.reconstruction),
          join(segmentation, next.segmentation), join(latents, next.latents), join(logLikelihood, next.logLikelihood),
          batch, frames + next.frames, next.last);
    }

    /** The summed log-likelihood of each example's frames [B]. */
    public double[] totalLogLikelihood() {
      double[] out = new double[batch];
      for (int b = 0; b < batch; b++) {
        for (int t = 0; t < frames; t++) {
          out[b] += logLikelihood[b * frames + t];
        }
      }
      return out;
    }

    /** This clip with example {@code b} (outputs and state) taken from {@code other}. */
    Clip withExample(int b, Clip other) {
      copyExample(other.masks, masks, b);
      copyExample(other.means, means, b);
      copyExample(other.reconstruction, reconstruction, b);
      copyExample(other.segmentation, segmentation, b);
      copyExample(other.latents, latents, b);
      copyExample(other.logLikelihood, logLikelihood, b);
      copyExample(other.last.h(), last.h(), b);
      copyExample(other.last.c(), last.c(), b);
      copyExample(other.last.lambda(), last.lambda(), b);
      return this;
    }

    private void copyExample(Object from, Object to, int b) {
      int per = java.lang.reflect.Array.getLength(to) / batch;
      System.arraycopy(from, b * per, to, b * per, per);
    }

    /** Frame-major arrays of two clips of the same batch, concatenated per example. */
    private float[] join(float[] a, float[] b) {
      int pa = a.length / batch, pb = b.length / batch;
      float[] out = new float[a.length + b.length];
      for (int i = 0; i < batch; i++) {
        System.arraycopy(a, i * pa, out, i * (pa + pb), pa);
        System.arraycopy(b, i * pb, out, i * (pa + pb) + pa, pb);
      }
      return out;
    }

    private int[] join(int[] a, int[] b) {
      int pa = a.length / batch, pb = b.length / batch;
      int[] out = new int[a.length + b.length];
      for (int i = 0; i < batch; i++) {
        System.arraycopy(a, i * pa, out, i * (pa + pb), pa);
        System.arraycopy(b, i * pb, out, i * (pa + pb) + pa, pb);
      }
      return out;
    }
  }

  /** The state before the first frame of {@code batch} streams. */
  public State initialState(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    int k = c.slots(), l = c.lstmSize(), d2 = 2 * c.latentSize();
    float[] lambda0;
    try (Result r = session.runner().fetch(graph.lambda0).run()) {
      lambda0 = Tensors.toFloats((TFloat32) r.get(0));
    }
    float[] lambda = new float[batch * k * d2];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(lambda0, 0, lambda, b * k * d2, k * d2); // lambda0 is [K, 2D]
    }
    return new State(new float[batch * k * l], new float[batch * k * l], lambda, batch, 0);
  }

  /** Decomposes one frame [B, H, W, 3] of B streams and returns the next state. */
  public FrameResult step(State state, float[] frame, long seed, float noiseScale) {
    int s = c.imageSize(), b = state.batch();
    if (frame.length != (long) b * s * s * 3) {
      throw new IllegalArgumentException("a frame batch of " + b + " needs " + b * s * s * 3 + " values ([B, " + s + ", " + s + ", 3]), got " + frame.length);
    }
    int t = (int) Math.min(state.nextFrame(), Integer.MAX_VALUE);
    InferenceGraph.Outputs o = graph.forFrame(t);
    int k = c.slots(), l = c.lstmSize(), d = c.latentSize();
    try (TFloat32 x = Tensors.floats(frame, b, s, s, 3);
        TFloat32 h = Tensors.floats(state.h(), b, k, l);
        TFloat32 cc = Tensors.floats(state.c(), b, k, l);
        TFloat32 lam = Tensors.floats(state.lambda(), b, k, 2L * d);
        TInt64 frameSeed = TInt64.vectorOf(seed, (state.nextFrame() + 1) * TrainingGraph.FRAME_SEED_STRIDE);
        TInt64 first = TInt64.vectorOf(seed, 0);
        TFloat32 noise = TFloat32.scalarOf(noiseScale);
        Result r = session.runner()
            .feed(graph.frame, x).feed(graph.stateH, h).feed(graph.stateC, cc).feed(graph.lambda, lam)
            .feed(graph.seed, frameSeed).feed(graph.firstSeed, first).feed(graph.noiseScale, noise)
            .fetch(o.masks()).fetch(o.means()).fetch(o.reconstruction()).fetch(o.segmentation()).fetch(o.latents())
            .fetch(o.nextH()).fetch(o.nextC()).fetch(o.nextLambda()).fetch(o.logLikelihood()).run()) {
      State next = new State(
          Tensors.toFloats((TFloat32) r.get(5)), Tensors.toFloats((TFloat32) r.get(6)), Tensors.toFloats((TFloat32) r.get(7)),
          b, state.nextFrame() + 1);
      return new FrameResult(
          Tensors.toFloats((TFloat32) r.get(0)), Tensors.toFloats((TFloat32) r.get(1)), Tensors.toFloats((TFloat32) r.get(2)),
          Tensors.toInts((TInt32) r.get(3)), Tensors.toFloats((TFloat32) r.get(4)), Tensors.toFloats((TFloat32) r.get(8)), next);
    }
  }

  /** Observed frames the draws of {@link #averagedState} share (where the slots take their objects). */
  public static final int SHARED_FRAMES = 3;

  /** The leading frames of an F-frame clip that the draws of {@link #averagedState} share: min(3, F - 1), at least 1. */
  public static int sharedFrames(int frames) {
    return Math.max(1, Math.min(SHARED_FRAMES, frames - 1));
  }

  /** Seeds of consecutive draws of {@link #averagedState} are this far apart. */
  public static final long DRAW_SEED_STRIDE = 7919;

  /**
   * The state after observing a clip [B, F, H, W, 3], averaged over {@code draws} inferences
   * (MODEL.md section 6f): they share the first {@link #sharedFrames}(F) frames, inferred
   * with {@code seed} as {@link #decompose(float[], int, int, long, float)} infers them, so every
   * draw keeps the object in the slot the decomposition gives it; each then infers the other
   * frames with its own noise (seed + i * stride, i = 1..draws) and h, c and lambda are averaged
   * over the draws. A rollout from it forecasts from a velocity less blurred by the inference's
   * noise.
   */
  public State averagedState(float[] video, int batch, int frames, long seed, float noiseScale, int draws) {
    if (draws < 1) {
      throw new IllegalArgumentException("draws must be >= 1, got " + draws);
    }
    checkVideo(video, batch, frames);
    int shared = sharedFrames(frames);
    State start = decompose(framesOf(video, batch, frames, 0, shared), batch, shared, seed, noiseScale).last();
    if (shared == frames) {
      return start; // one observed frame: nothing left to draw
    }
    float[] rest = framesOf(video, batch, frames, shared, frames);
    float[] h = new float[start.h().length], cell = new float[start.c().length], lambda = new float[start.lambda().length];
    for (int i = 0; i < draws; i++) {
      State s = run(start, rest, batch, frames - shared, seed + (i + 1) * DRAW_SEED_STRIDE, noiseScale).last();
      accumulate(h, s.h(), draws);
      accumulate(cell, s.c(), draws);
      accumulate(lambda, s.lambda(), draws);
    }
    return new State(h, cell, lambda, batch, start.nextFrame() + frames - shared);
  }

  /** sum += x / n, element by element: one draw's share of a mean over n draws. */
  public static void accumulate(float[] sum, float[] x, int n) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += x[i] / n;
    }
  }

  /** Decomposes a clip [B, F, H, W, 3]. */
  public Clip decompose(float[] video, int batch, int frames, long seed, float noiseScale) {
    checkVideo(video, batch, frames);
    return run(initialState(batch), video, batch, frames, seed, noiseScale);
  }

  private void checkVideo(float[] video, int batch, int frames) {
    int s = c.imageSize();
    long frameSize = (long) s * s * 3;
    if (frames < 1 || video.length != batch * frames * frameSize) {
      throw new IllegalArgumentException("video must be [B, F, " + s + ", " + s + ", 3] with B = " + batch + ", F = " + frames + " >= 1");
    }
  }

  /**
   * Decomposes a clip [B, F, H, W, 3] with several starts on its first frames (see
   * {@link Restarts}); with {@link Restarts#NONE} this is {@link #decompose(float[], int, int, long, float)}.
   */
  public Clip decompose(float[] video, int batch, int frames, long seed, float noiseScale, Restarts restarts) {
    if (!restarts.enabled()) {
      return decompose(video, batch, frames, seed, noiseScale);
    }
    checkVideo(video, batch, frames);
    int head = Math.min(restarts.frames(), frames);
    float[] first = frames == head ? video : framesOf(video, batch, frames, 0, head);
    Clip best = decompose(first, batch, head, seed, noiseScale);
    double[] bestScore = best.totalLogLikelihood();
    for (int r = 1; r < restarts.count(); r++) {
      Clip other = decompose(first, batch, head, Restarts.seed(seed, r), noiseScale);
      double[] score = other.totalLogLikelihood();
      for (int b = 0; b < batch; b++) {
        if (score[b] > bestScore[b]) {
          best = best.withExample(b, other);
          bestScore[b] = score[b];
        }
      }
    }
    if (head == frames) {
      return best;
    }
    return best.then(run(best.last(), framesOf(video, batch, frames, head, frames), batch, frames - head, seed, noiseScale));
  }

  /** Frames [from, to) of each example of a clip [B, F, H, W, 3]. */
  private float[] framesOf(float[] video, int batch, int frames, int from, int to) {
    int frameSize = c.imageSize() * c.imageSize() * 3, n = to - from;
    float[] out = new float[batch * n * frameSize];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(video, (b * frames + from) * frameSize, out, b * n * frameSize, n * frameSize);
    }
    return out;
  }

  /** Continues from {@code state} over {@code frames} more frames of a clip [B, F, H, W, 3]. */
  public Clip run(State state, float[] video, int batch, int frames, long seed, float noiseScale) {
    int s = c.imageSize(), k = c.slots(), d = c.latentSize(), p = s * s;
    Clip out = new Clip(new float[batch * frames * k * p], new float[batch * frames * k * p * 3], new float[batch * frames * p * 3],
        new int[batch * frames * p], new float[batch * frames * k * d], new float[batch * frames], batch, frames, null);
    float[] frame = new float[batch * p * 3];
    for (int t = 0; t < frames; t++) {
      for (int b = 0; b < batch; b++) {
        System.arraycopy(video, (b * frames + t) * p * 3, frame, b * p * 3, p * 3);
      }
      FrameResult r = step(state, frame, seed, noiseScale);
      scatter(out, r, t, batch, frames);
      state = r.next();
    }
    return new Clip(out.masks(), out.means(), out.reconstruction(), out.segmentation(), out.latents(), out.logLikelihood(), batch, frames, state);
  }

  /**
   * Rolls the model {@code future} frames forward from {@code state} (MODEL.md section 6),
   * decoding the prior mean of each frame.
   */
  public Clip predict(State state, int future) {
    return predict(state, future, 0, 0f);
  }

  /**
   * Rolls the model {@code future} frames forward from {@code state}, decoding z = mean + noiseScale
   * * std * eps of the prior: noiseScale 0 is the prior mean (the paper's rollout), 1 a draw from
   * the prior. The noise of frame t uses the seed (seed, (t + 1) * 1000), as inference does; so
   * does the inference of each predicted frame under the inferred rollout (MODEL.md section 6c),
   * which matches a clip's decomposition when {@code seed} is the one it was decomposed with.
   */
  public Clip predict(State state, int future, long seed, float noiseScale) {
    return predict(state, future, seed, noiseScale, 1f);
  }

  /**
   * {@link #predict(State, int, long, float)}, feeding back after each frame the frame mixed with
   * masks softmax(feedbackSharpness * logits) (1: the predicted frame, the paper's rollout).
   */
  public Clip predict(State state, int future, long seed, float noiseScale, float feedbackSharpness) {
    if (!(feedbackSharpness > 0) || Float.isInfinite(feedbackSharpness)) {
      throw new IllegalArgumentException("the feedback sharpness must be a positive finite number, got " + feedbackSharpness);
    }
    if (future < 1) {
      throw new IllegalArgumentException("predict at least one frame, got " + future);
    }
    if (feedbackSharpness != 1f && c.temporal().inferredRollout()) {
      throw new IllegalArgumentException("a feedback sharpness changes the paper's rollout; this model rolls out by inferring each "
          + "predicted frame (MODEL.md section 6c), so leave it at 1");
    }
    int s = c.imageSize(), k = c.slots(), l = c.lstmSize(), d = c.latentSize(), p = s * s, b = state.batch();
    Clip out = new Clip(new float[b * future * k * p], new float[b * future * k * p * 3], new float[b * future * p * 3],
        new int[b * future * p], new float[b * future * k * d], new float[b * future], b, future, null);
    InferenceGraph.Outputs o = graph.predict;
    for (int t = 0; t < future; t++) {
      try (TFloat32 h = Tensors.floats(state.h(), b, k, l);
          TFloat32 cc = Tensors.floats(state.c(), b, k, l);
          TFloat32 lam = Tensors.floats(state.lambda(), b, k, 2L * d);
          TInt64 frameSeed = TInt64.vectorOf(seed, (state.nextFrame() + 1) * TrainingGraph.FRAME_SEED_STRIDE);
          TFloat32 noise = TFloat32.scalarOf(noiseScale);
          TFloat32 sharpness = TFloat32.scalarOf(feedbackSharpness);
          Result r = session.runner().feed(graph.stateH, h).feed(graph.stateC, cc).feed(graph.lambda, lam)
              .feed(graph.predictSeed, frameSeed).feed(graph.predictNoiseScale, noise).feed(graph.predictFeedbackSharpness, sharpness)
              .fetch(o.masks()).fetch(o.means()).fetch(o.reconstruction()).fetch(o.segmentation()).fetch(o.latents())
              .fetch(o.nextH()).fetch(o.nextC()).fetch(o.nextLambda()).fetch(o.logLikelihood()).run()) {
        State next = new State(
            Tensors.toFloats((TFloat32) r.get(5)), Tensors.toFloats((TFloat32) r.get(6)), Tensors.toFloats((TFloat32) r.get(7)),
            b, state.nextFrame() + 1);
        FrameResult fr = new FrameResult(
            Tensors.toFloats((TFloat32) r.get(0)), Tensors.toFloats((TFloat32) r.get(1)), Tensors.toFloats((TFloat32) r.get(2)),
            Tensors.toInts((TInt32) r.get(3)), Tensors.toFloats((TFloat32) r.get(4)), Tensors.toFloats((TFloat32) r.get(8)), next);
        scatter(out, fr, t, b, future);
        // MODEL.md section 6c: the state goes on from the predicted frame inferred as an observed one.
        state = c.temporal().inferredRollout() ? step(state, fr.reconstruction(), seed, ROLLOUT_INFERENCE_NOISE).next() : next;
      }
    }
    return new Clip(out.masks(), out.means(), out.reconstruction(), out.segmentation(), out.latents(), out.logLikelihood(), b, future, state);
  }

  private void scatter(Clip out, FrameResult r, int t, int batch, int frames) {
    int s = c.imageSize(), k = c.slots(), d = c.latentSize(), p = s * s;
    for (int b = 0; b < batch; b++) {
      int bf = b * frames + t;
      System.arraycopy(r.masks(), b * k * p, out.masks(), bf * k * p, k * p);
      System.arraycopy(r.means(), b * k * p * 3, out.means(), bf * k * p * 3, k * p * 3);
      System.arraycopy(r.reconstruction(), b * p * 3, out.reconstruction(), bf * p * 3, p * 3);
      System.arraycopy(r.segmentation(), b * p, out.segmentation(), bf * p, p);
      System.arraycopy(r.latents(), b * k * d, out.latents(), bf * k * d, k * d);
      out.logLikelihood()[bf] = r.logLikelihood()[b];
    }
  }
}
