package dev.provide.train;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.Restarts;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.FrameRange;
import dev.provide.train.metrics.ClipScores;
import java.util.List;

/**
 * Observes the first frames of sequences, rolls the model forward (MODEL.md section 6) and scores
 * the predicted frames against the true future: MSE of the predicted frames, ARI and F-ARI of the
 * predicted masks.
 */
public final class Predictor {
  /**
   * What came out.
   *
   * @param observed the decomposition of the observed frames
   * @param future the predicted frames
   * @param truth the whole true clip (observed then future)
   * @param scores predicted frames against the true future
   */
  public record Prediction(VideoInference.Clip observed, VideoInference.Clip future, ClipBatches.Batch truth, ClipScores scores) {}

  private final LoadedModel model;
  private final long seed;
  private final Restarts restarts;

  public Predictor(LoadedModel model, long seed) {
    this(model, seed, Restarts.NONE);
  }

  /** A predictor whose observed frames are decomposed with {@code restarts}. */
  public Predictor(LoadedModel model, long seed, Restarts restarts) {
    this.model = model;
    this.seed = seed;
    this.restarts = restarts;
  }

  /** Observes {@code observe} frames of clips [from, from + count) and predicts {@code future} more. */
  public Prediction predict(List<ClipRecord> clips, int from, int count, int observe, int future) {
    if (observe < 1 || future < 1) {
      throw new IllegalArgumentException("--observe and --future must be >= 1");
    }
    ClipBatches.Batch all = ClipBatches.sequences(clips, from, count, observe + future);
    int p = all.height() * all.width(), k = model.config().slots();
    float[] seen = FrameRange.of(all.frames(), count, observe + future, 0, observe, p * 3);
    VideoInference.Clip observed = model.inference().decompose(seen, count, observe, seed, 1f, restarts);
    VideoInference.Clip predicted = model.inference().predict(observed.last(), future);
    float[] trueFuture = FrameRange.of(all.frames(), count, observe + future, observe, observe + future, p * 3);
    int[] futureIds = FrameRange.of(all.ids(), count, observe + future, observe, observe + future, p);
    ClipScores scores = new ClipScores();
    scores.add(predicted.masks(), predicted.reconstruction(), trueFuture, futureIds, count, future, k, p);
    return new Prediction(observed, predicted, all, scores);
  }
}
