package dev.provide.train;

import dev.provide.graph.LoadedModel;
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

  private final LoadedModel model;
  private final int batchSize;
  private final long seed;

  public Evaluator(LoadedModel model, int batchSize, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1");
    }
    this.model = model;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  /**
   * Scores {@code clips} at each of {@code lengths}.
   *
   * @param progress called with the number of sequences done
   */
  public Map<Integer, Scores> evaluate(List<ClipRecord> clips, List<Integer> lengths, LongConsumer progress) {
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
      VideoInference.Clip out = model.inference().decompose(b.frames(), n, longest, seed, 1f);
      int p = b.height() * b.width();
      for (int l : lengths) {
        scores.get(l).add(
            FrameRange.of(out.masks(), n, longest, 0, l, k * p),
            FrameRange.of(out.reconstruction(), n, longest, 0, l, p * 3),
            FrameRange.of(b.frames(), n, longest, 0, l, p * 3),
            FrameRange.of(b.ids(), n, longest, 0, l, p),
            n, l, k, p);
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
    results.forEach((l, s) -> b.append(String.format("| %d frames | %.4f | %.4f | %.5f |%n", l, s.ari(), s.foregroundAri(), s.mse())));
    return b.toString();
  }
}
