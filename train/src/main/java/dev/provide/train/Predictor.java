package dev.provide.train;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.Restarts;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.FrameRange;
import dev.provide.train.metrics.Turns;
import dev.provide.train.predict.Baselines;
import dev.provide.train.predict.Forecast;
import dev.provide.train.predict.HorizonScores;
import dev.provide.train.predict.KeptAreaSegmentation;
import java.util.List;

/**
 * Observes the first frames of sequences, rolls the model forward (MODEL.md section 6) and scores
 * the predicted frames against the true future: MSE of the predicted frames, ARI and F-ARI of the
 * predicted masks, overall and per horizon, beside the simple baselines of {@link Baselines} and,
 * on labelled data, constant velocity on the true masks as a reference.
 */
public final class Predictor {
  /**
   * What came out.
   *
   * @param observed the decomposition of the observed frames
   * @param future the predicted frames
   * @param truth the whole true clip (observed then future)
   * @param horizons the model's and the baselines' scores at each horizon, of this batch and of
   *     every batch added before it to the same {@link HorizonScores} (overall scores:
   *     {@link HorizonScores#overall})
   */
  public record Prediction(VideoInference.Clip observed, VideoInference.Clip future, ClipBatches.Batch truth, HorizonScores horizons) {}

  /** Sequences run together by {@link #predictAll}. */
  public static final int BATCH = 16;

  /** What each predicted frame decodes (MODEL.md section 6). */
  public enum Rollout {
    /** The prior mean: the paper's rollout, and the one the prediction term trains. */
    MEAN(0f),
    /** A draw from the prior (mean + std * eps, the noise seeded by the predictor's seed). */
    SAMPLE(1f);

    final float noiseScale;

    Rollout(float noiseScale) {
      this.noiseScale = noiseScale;
    }

    /** "mean" or "sample" (any case). */
    public static Rollout parse(String name) {
      for (Rollout r : values()) {
        if (r.name().equalsIgnoreCase(name)) {
          return r;
        }
      }
      throw new IllegalArgumentException("--rollout must be mean or sample, got '" + name + "'");
    }

    /** The name on the command line and in reports. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final LoadedModel model;
  private final long seed;
  private final Restarts restarts;
  private final Rollout rollout;
  private final float feedbackSharpness;
  private final int observeDraws;

  public Predictor(LoadedModel model, long seed) {
    this(model, seed, Restarts.NONE, Rollout.MEAN);
  }

  /** A predictor whose observed frames are decomposed with {@code restarts}, rolling out with {@code rollout}. */
  public Predictor(LoadedModel model, long seed, Restarts restarts, Rollout rollout) {
    this(model, seed, restarts, rollout, 1f);
  }

  /**
   * As {@link #Predictor(LoadedModel, long, Restarts, Rollout)}, feeding back after each predicted
   * frame one mixed with masks softmax(feedbackSharpness * logits) (1: the predicted frame itself,
   * the paper's rollout; {@link VideoInference#predict(VideoInference.State, int, long, float, float)}).
   */
  public Predictor(LoadedModel model, long seed, Restarts restarts, Rollout rollout, float feedbackSharpness) {
    this(model, seed, restarts, rollout, feedbackSharpness, 1);
  }

  /**
   * As {@link #Predictor(LoadedModel, long, Restarts, Rollout, float)}, rolling out from the state
   * after the observed frames averaged over {@code observeDraws} inferences of them (MODEL.md
   * section 6f, {@link VideoInference#averagedState}); 1 = from the decomposition's own state, the
   * paper's rollout. The decomposition scored and drawn is the one inference of the observed frames.
   * Not with {@code restarts}, whose choice of start could give the objects other slots than the
   * draws share.
   */
  public Predictor(LoadedModel model, long seed, Restarts restarts, Rollout rollout, float feedbackSharpness, int observeDraws) {
    this.model = model;
    this.seed = seed;
    this.restarts = restarts;
    this.rollout = rollout;
    this.feedbackSharpness = requireFeedbackSharpness(feedbackSharpness);
    this.observeDraws = requireObserveDraws(observeDraws);
    if (observeDraws > 1 && restarts.enabled()) {
      // The draws share the decomposition's first frames; a restart could give its objects other slots.
      throw new IllegalArgumentException("--observe-draws cannot be combined with --restarts yet: give one of them");
    }
  }

  /** {@code n} if it is >= 1; otherwise an IllegalArgumentException that names the option. */
  public static int requireObserveDraws(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("--observe-draws must be >= 1, got " + n);
    }
    return n;
  }

  /** {@code s} if it is a positive finite number; otherwise an IllegalArgumentException that names the option. */
  public static float requireFeedbackSharpness(float s) {
    if (!(s > 0) || Float.isInfinite(s)) {
      throw new IllegalArgumentException("--feedback-sharpness must be a positive finite number, got " + s);
    }
    return s;
  }

  /**
   * Observes {@code observe} frames of every clip and predicts {@code future} more, in batches of
   * {@link #BATCH}, handing each batch's prediction to {@code each}.
   *
   * @return the scores per horizon over all clips
   */
  public HorizonScores predictAll(List<ClipRecord> clips, int observe, int future, java.util.function.Consumer<Prediction> each) {
    HorizonScores horizons = newScores(clips, future);
    for (int from = 0; from < clips.size(); from += BATCH) {
      each.accept(predict(clips, from, Math.min(BATCH, clips.size() - from), observe, future, horizons));
    }
    return horizons;
  }

  private HorizonScores newScores(List<ClipRecord> clips, int future) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("no sequences to predict");
    }
    return new HorizonScores(future, clips.get(0).height(), clips.get(0).width());
  }

  /**
   * Observes {@code observe} frames of clips [from, from + count) and predicts {@code future} more,
   * adding the model's and the baselines' scores per horizon to {@code horizons} (the baselines
   * need at least 2 observed frames).
   */
  private Prediction predict(List<ClipRecord> clips, int from, int count, int observe, int future, HorizonScores horizons) {
    if (observe < 1 || future < 1) {
      throw new IllegalArgumentException("--observe and --future must be >= 1");
    }
    ClipBatches.Batch all = ClipBatches.sequences(clips, from, count, observe + future);
    int p = all.height() * all.width(), k = model.config().slots();
    float[] seen = FrameRange.of(all.frames(), count, observe + future, 0, observe, p * 3);
    VideoInference.Clip observed = model.inference().decompose(seen, count, observe, seed, 1f, restarts);
    VideoInference.State start = observeDraws == 1
        ? observed.last()
        : model.inference().averagedState(seen, count, observe, seed, 1f, observeDraws); // MODEL.md 6f
    VideoInference.Clip predicted = model.inference().predict(start, future, seed, rollout.noiseScale, feedbackSharpness);
    float[] trueFuture = FrameRange.of(all.frames(), count, observe + future, observe, observe + future, p * 3);
    int[] futureIds = FrameRange.of(all.ids(), count, observe + future, observe, observe + future, p);
    // Which true objects still move as when the observed frames ended (labelled data, 2+ observed frames).
    int[][] motion = observe >= 2 ? Turns.classify(all.ids(), count, observe + future, observe, p, all.width(), Turns.DEFAULT_DEGREES) : null;
    horizons.add(new Forecast(Forecast.MODEL, predicted.masks(), predicted.reconstruction()), trueFuture, futureIds, motion, count);
    float[] kept = KeptAreaSegmentation.of(predicted.masks(), observed.masks(), count, observe, future, k, p);
    horizons.add(new Forecast(KeptAreaSegmentation.NAME, kept, predicted.reconstruction()), trueFuture, futureIds, motion, count);
    if (observe >= 2) {
      Baselines.Dims dims = new Baselines.Dims(count, observe, future, k, all.height(), all.width());
      for (Forecast f : new Baselines(dims, seen, observed.masks(), observed.means()).all()) {
        horizons.add(f, trueFuture, futureIds, motion, count);
      }
      int[] seenIds = FrameRange.of(all.ids(), count, observe + future, 0, observe, p);
      if (java.util.Arrays.stream(seenIds).anyMatch(id -> id > 0)) { // labelled data: the reference on the true masks
        Baselines truth = Baselines.ofTruth(count, observe, future, all.height(), all.width(), seen, seenIds);
        horizons.add(truth.trueMasksVelocity(), trueFuture, futureIds, motion, count);
      }
    }
    return new Prediction(observed, predicted, all, horizons);
  }
}
