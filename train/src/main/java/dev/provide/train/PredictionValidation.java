package dev.provide.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.provide.graph.Checkpoints;
import dev.provide.graph.LoadedModel;
import dev.provide.ops.PartialFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.predict.Forecast;
import dev.provide.train.predict.HorizonScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Prediction validation during training: each checkpoint observes the first {@code observe} frames
 * of held-out labelled clips and rolls out {@code horizon} more (MODEL.md section 6, with {@code
 * draws} inferences of the observed frames as in 6f), and its masks at that horizon are scored
 * with F-ARI against the true objects, as {@code provide predict} scores them with its default
 * seed. The checkpoint with the highest F-ARI so far is kept as a slim model folder, {@code
 * RUN/best-prediction/}, with its scores in {@code prediction-validation.json}, out of reach of
 * the pruning of old checkpoints.
 *
 * <p>Why: checkpoints of one run differ in forecast as much as recipes do (docs/RESULTS.md), and
 * the one best on prediction validation was also best on the test file.
 */
public final class PredictionValidation {
  /** The folder of the best checkpoint in a run folder. */
  public static final String FOLDER = "best-prediction";
  /** The scores of the best checkpoint, in its folder. */
  public static final String SCORE_FILE = "prediction-validation.json";
  /** Sequences scored unless told otherwise. */
  public static final int DEFAULT_COUNT = 100;
  /** Observed frames unless told otherwise (the prediction issue's protocol). */
  public static final int DEFAULT_OBSERVE = 10;
  /** The horizon scored unless told otherwise (the prediction issue's F-ARI horizon). */
  public static final int DEFAULT_HORIZON = 5;
  /** Inferences of the observed frames averaged unless told otherwise (1: the paper's rollout). */
  public static final int DEFAULT_DRAWS = 1;
  /** The noise seed of the scoring inference: {@code provide predict}'s default. */
  static final long SEED = 1;

  private final List<ClipRecord> clips;
  private final String dataName;
  private final int observe;
  private final int horizon;
  private final int draws;
  private final int threads;

  /**
   * The scores of one checkpoint at the horizon (means over the clips).
   *
   * @param step the checkpoint's training step
   * @param fAri foreground ARI of the predicted masks
   * @param ari ARI of the predicted masks, background included
   * @param mse mean squared error of the predicted frame
   */
  public record Score(long step, double fAri, double ari, double mse, String data, int clips, int observe, int horizon, int draws) {}

  /**
   * @param clips labelled clips of at least {@code observe + horizon} frames
   * @param dataName where they came from (for the score file)
   * @param threads TensorFlow intra-op threads of the scoring session (0 = all cores)
   * @throws IllegalArgumentException for no clips, counts below 1, clips too short or without labels
   */
  public PredictionValidation(List<ClipRecord> clips, String dataName, int observe, int horizon, int draws, int threads) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("--predict-val " + dataName + " holds no sequences");
    }
    if (observe < 1 || horizon < 1) {
      throw new IllegalArgumentException("--predict-val-observe and --predict-val-horizon must be >= 1, got " + observe + " and " + horizon);
    }
    Predictor.requireObserveDraws(draws);
    for (ClipRecord c : clips) {
      if (c.numFrames() < observe + horizon) {
        throw new IllegalArgumentException("--predict-val " + dataName + ": a sequence has " + c.numFrames() + " frames; observing "
            + observe + " and predicting " + horizon + " needs " + (observe + horizon) + " (generate longer ones with data generate --frames)");
      }
    }
    if (clips.stream().allMatch(c -> allZero(c.ids()))) {
      throw new IllegalArgumentException("--predict-val " + dataName + " has no object labels (ids): F-ARI cannot be scored on it");
    }
    this.clips = List.copyOf(clips);
    this.dataName = dataName;
    this.observe = observe;
    this.horizon = horizon;
    this.draws = draws;
    this.threads = threads;
  }

  private static boolean allZero(byte[] ids) {
    for (byte b : ids) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The horizon whose F-ARI chooses the best checkpoint. */
  public int horizon() {
    return horizon;
  }

  /** Scores a checkpoint (its own session, closed after). */
  public Score score(Checkpoints.Checkpoint checkpoint) throws IOException {
    try (LoadedModel model = LoadedModel.open(checkpoint.dir(), false, threads)) {
      HorizonScores h = new Predictor(model, SEED, dev.provide.graph.Restarts.NONE, Predictor.Rollout.MEAN, 1f, draws)
          .predictAll(clips, observe, horizon, p -> {});
      ClipScores s = h.at(Forecast.MODEL, horizon);
      return new Score(checkpoint.step(), s.foregroundAri(), s.ari(), s.mse(), dataName, clips.size(), observe, horizon, draws);
    }
  }

  /** The best checkpoint's scores kept in {@code run}, if there is one (and its score file is whole). */
  public static Optional<Score> best(Path run) throws IOException {
    Path file = run.resolve(FOLDER).resolve(SCORE_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(new Gson().fromJson(Files.readString(file), Score.class));
    } catch (com.google.gson.JsonParseException e) {
      return Optional.empty(); // unreadable: the next checkpoint scored replaces it
    }
  }

  /**
   * Keeps {@code checkpoint} as {@code run/best-prediction/} when its F-ARI is above the kept
   * one's (or none is kept, or the kept one scored another protocol).
   *
   * @return whether it was kept
   */
  public boolean keepIfBest(Path run, Checkpoints.Checkpoint checkpoint, Score score) throws IOException {
    Optional<Score> kept = best(run);
    if (kept.isPresent() && sameProtocol(kept.get(), score) && !(score.fAri() > kept.get().fAri())) {
      return false;
    }
    if (Double.isNaN(score.fAri())) {
      return false;
    }
    Path target = run.resolve(FOLDER);
    Checkpoints.slim(checkpoint, target);
    PartialFiles.writeString(target.resolve(SCORE_FILE),
        new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(score) + "\n");
    return true;
  }

  private static boolean sameProtocol(Score a, Score b) {
    return a.data().equals(b.data()) && a.clips() == b.clips() && a.observe() == b.observe() && a.horizon() == b.horizon()
        && a.draws() == b.draws();
  }
}
