package dev.provide.train;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.Restarts;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.FrameRange;
import dev.provide.train.metrics.ClipScores;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Scores a model on full sequences, as the paper's table does: every sequence is decomposed once
 * over the longest evaluated length, and ARI, F-ARI and MSE are averaged over the first L frames
 * for each evaluated length L.
 */
public final class Evaluator {
  /**
   * Scores at one length.
   *
   * @param frames frames scored in total
   */
  public record Scores(double ari, double foregroundAri, double mse, long frames) {}

  /** Receives the scores of single frames: sequence index, frame index, ARI, F-ARI. */
  @FunctionalInterface
  public interface FrameListener {
    void frame(int sequence, int frame, double ari, double foregroundAri);
  }

  private final LoadedModel model;
  private final int batchSize;
  private final long seed;
  private final Restarts restarts;

  /** An evaluator with a single start of inference per clip (the paper's protocol). */
  public Evaluator(LoadedModel model, int batchSize, long seed) {
    this(model, batchSize, seed, Restarts.NONE);
  }

  /**
   * An evaluator that decomposes {@code batchSize} sequences at a time. Every batch draws its own
   * noise from {@code seed}, so no two sequences share a noise draw (with one seed for all
   * batches, the sequences in the same batch position all shared one, and the score hung on a
   * batch-size's worth of draws).
   */
  public Evaluator(LoadedModel model, int batchSize, long seed, Restarts restarts) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    this.model = model;
    this.batchSize = batchSize;
    this.seed = seed;
    this.restarts = restarts;
  }

  /** The noise seed of the batch that starts at sequence {@code from}. */
  static long batchSeed(long seed, int from) {
    return from == 0 ? seed : seed ^ (from * 0xC2B2AE3D27D4EB4FL);
  }

  /**
   * Scores {@code clips} at each of {@code lengths}.
   *
   * @param progress called with the number of sequences done
   */
  public Map<Integer, Scores> evaluate(List<ClipRecord> clips, List<Integer> lengths, LongConsumer progress) {
    return evaluate(clips, lengths, progress, (sequence, frame, ari, fari) -> {});
  }

  /**
   * Scores {@code clips} at each of {@code lengths} and reports every frame of the longest length
   * to {@code frames} (in sequence order, then frame order).
   *
   * @param progress called with the number of sequences done
   */
  public Map<Integer, Scores> evaluate(List<ClipRecord> clips, List<Integer> lengths, LongConsumer progress, FrameListener frames) {
    int longest = lengths.stream().mapToInt(Integer::intValue).max().orElseThrow(() -> new IllegalArgumentException("no lengths"));
    for (int l : lengths) {
      if (l < 1) {
        throw new IllegalArgumentException("lengths must be >= 1, got " + l);
      }
    }
    for (int i = 0; i < clips.size(); i++) {
      if (clips.get(i).numFrames() < longest) {
        throw new IllegalArgumentException("sequence " + i + " has " + clips.get(i).numFrames()
            + " frames; evaluating length " + longest + " needs at least that many");
      }
    }
    int k = model.config().slots();
    Map<Integer, ClipScores> scores = new LinkedHashMap<>();
    lengths.forEach(l -> scores.put(l, new ClipScores()));
    for (int from = 0; from < clips.size(); from += batchSize) {
      int n = Math.min(batchSize, clips.size() - from);
      ClipBatches.Batch b = ClipBatches.sequences(clips, from, n, longest);
      VideoInference.Clip out = model.inference().decompose(b.frames(), n, longest, batchSeed(seed, from), 1f, restarts);
      int p = b.height() * b.width();
      int first = from;
      for (int l : scores.keySet()) {
        // the longest length's scores are every frame's: report them as they are computed
        ClipScores.FrameScores perFrame = l == longest
            ? (index, a, fa) -> frames.frame(first + index / longest, index % longest, a, fa)
            : (index, a, fa) -> {};
        scores.get(l).add(
            FrameRange.of(out.masks(), n, longest, 0, l, k * p),
            FrameRange.of(out.reconstruction(), n, longest, 0, l, p * 3),
            FrameRange.of(b.frames(), n, longest, 0, l, p * 3),
            FrameRange.of(b.ids(), n, longest, 0, l, p),
            n, l, k, p, perFrame);
      }
      progress.accept(from + n);
    }
    Map<Integer, Scores> out = new LinkedHashMap<>();
    scores.forEach((l, s) -> out.put(l, new Scores(s.ari(), s.foregroundAri(), s.mse(), s.frames())));
    return out;
  }

  /** The table as Markdown. */
  public static String markdown(Map<Integer, Scores> results, String title) {
    StringBuilder b = new StringBuilder();
    b.append("| ").append(title).append(" | ARI | F-ARI | MSE |\n|---|---|---|---|\n");
    results.forEach((l, s) -> b.append(String.format(java.util.Locale.ROOT, "| %d frames | %s | %s | %.5f |%n", l,
        ClipScores.format(s.ari()), ClipScores.format(s.foregroundAri()), s.mse())));
    if (results.values().stream().anyMatch(s -> Double.isNaN(s.ari()) && s.frames() > 0)) {
      b.append('\n').append(ClipScores.NO_GROUND_TRUTH).append('\n');
    }
    return b.toString();
  }
}
