package dev.provide.train.render;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.Restarts;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.metrics.ClipScores;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictures of one sequence's decomposition: a PNG grid (rows: input, reconstruction, segmentation,
 * each slot's mask and masked appearance; columns: frames; predicted frames outlined in red), an
 * animated GIF of the same, and an HTML page with both and the sequence's metrics.
 */
public final class Renderer {
  /** The files written. */
  public record Output(Path png, Path gif, Path html, ClipScores observed, ClipScores predicted) {}

  private Renderer() {}

  /**
   * Renders sequence {@code clip}: its first {@code frames} frames decomposed, then {@code future}
   * frames predicted (0 for none).
   */
  public static Output render(LoadedModel model, ClipRecord clip, int frames, int future, long seed, Path dir, String name,
      String title) throws IOException {
    return render(model, clip, frames, future, seed, Restarts.NONE, dir, name, title);
  }

  /**
   * As {@link #render(LoadedModel, ClipRecord, int, int, long, Path, String, String)}, decomposing
   * with {@code restarts}.
   *
   * @param name the files' name, without extension
   * @param title what the HTML report's title says the sequence is (for example "test sequence 7 of
   *     test.tfrecord")
   */
  public static Output render(LoadedModel model, ClipRecord clip, int frames, int future, long seed, Restarts restarts,
      Path dir, String name, String title) throws IOException {
    int k = model.config().slots(), s = model.config().imageSize(), p = s * s;
    int total = frames + future;
    ClipBatches.Batch truth = ClipBatches.sequences(List.of(clip), 0, 1, total);
    float[] seen = java.util.Arrays.copyOf(truth.frames(), frames * p * 3);
    VideoInference.Clip observed = model.inference().decompose(seen, 1, frames, seed, 1f, restarts);
    ClipScores observedScores = new ClipScores();
    observedScores.add(observed.masks(), observed.reconstruction(), seen, java.util.Arrays.copyOf(truth.ids(), frames * p), 1, frames, k, p);
    VideoInference.Clip all = observed;
    ClipScores predictedScores = null;
    if (future > 0) {
      VideoInference.Clip predicted = model.inference().predict(observed.last(), future);
      predictedScores = new ClipScores();
      predictedScores.add(predicted.masks(), predicted.reconstruction(),
          java.util.Arrays.copyOfRange(truth.frames(), frames * p * 3, total * p * 3),
          java.util.Arrays.copyOfRange(truth.ids(), frames * p, total * p), 1, future, k, p);
      all = observed.then(predicted);
    }
    int scale = Math.max(2, 96 / s);
    BufferedImage grid = DecompositionPicture.drawLabelled(truth.frames(), all, 0, k, s, frames, scale, 1);
    Path png = dir.resolve(name + ".png");
    Images.writePng(grid, png);
    List<BufferedImage> gifFrames = new ArrayList<>();
    for (int t = 0; t < total; t++) {
      gifFrames.add(DecompositionPicture.drawLabelled(truth.frames(), single(all, t, k, p, model.config().latentSize()), 0, k, s,
          t >= frames ? 0 : 1, scale, t + 1));
    }
    Path gif = dir.resolve(name + ".gif");
    Gif.write(gifFrames, 250, gif);
    Path html = dir.resolve(name + ".html");
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"frames", "ARI", "F-ARI", "MSE"});
    table.add(row("observed 1-" + frames, observedScores));
    if (predictedScores != null) {
      table.add(row("predicted " + (frames + 1) + "-" + total, predictedScores));
    }
    Report.write(html, "Decomposition of " + title,
        List.of("Model: " + model.config().mode().label() + ", " + k + " slots, " + s + "x" + s + " frames, checkpoint "
                + model.checkpoint().dir() + ".",
            "Rows: input, reconstruction, segmentation (one colour per slot), then for each slot its mask (grey) and its "
                + "masked appearance. Columns: frames; predicted frames are outlined in red."),
        List.of(new String[] {png.getFileName().toString(), "all frames"}, new String[] {gif.getFileName().toString(), "animated"}),
        table);
    return new Output(png, gif, html, observedScores, predictedScores);
  }

  private static String[] row(String label, ClipScores s) {
    return new String[] {label, ClipScores.format(s.ari()), ClipScores.format(s.foregroundAri()),
        String.format(java.util.Locale.ROOT, "%.5f", s.mse())};
  }

  /** Frame t of a clip as a one-frame clip. */
  private static VideoInference.Clip single(VideoInference.Clip c, int t, int k, int p, int d) {
    return new VideoInference.Clip(
        java.util.Arrays.copyOfRange(c.masks(), t * k * p, (t + 1) * k * p),
        java.util.Arrays.copyOfRange(c.means(), t * k * p * 3, (t + 1) * k * p * 3),
        java.util.Arrays.copyOfRange(c.reconstruction(), t * p * 3, (t + 1) * p * 3),
        java.util.Arrays.copyOfRange(c.segmentation(), t * p, (t + 1) * p),
        java.util.Arrays.copyOfRange(c.latents(), t * k * d, (t + 1) * k * d),
        java.util.Arrays.copyOfRange(c.logLikelihood(), t, t + 1), 1, 1, null);
  }
}
