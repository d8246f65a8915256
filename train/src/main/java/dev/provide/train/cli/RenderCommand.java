package dev.provide.train.cli;

import dev.provide.graph.LoadedModel;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.render.Renderer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code provide render}: pictures of a decomposition. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Draw one sequence's decomposition: a PNG grid (rows: input, reconstruction, segmentation, each slot's",
      "mask and masked appearance; columns: frames), an animated GIF, and an HTML report with the metrics."
    })
final class RenderCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run folder, a checkpoint folder or a model folder.")
  Path checkpoint;

  @Option(names = "--data", required = true, description = "Clip file.")
  Path data;

  @Option(names = "--index", defaultValue = "0", description = "Sequence (0-based). Default: ${DEFAULT-VALUE}.")
  long index;

  @Option(names = "--frames", defaultValue = "10", description = "Frames decomposed. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--future", defaultValue = "5", description = "Frames predicted after them (0 = none). Default: ${DEFAULT-VALUE}.")
  int future;

  @Mixin
  SlotOptions slotOptions = new SlotOptions();

  @Mixin
  RestartOptions restartOptions = new RestartOptions();

  @Option(names = "--seed", defaultValue = "1", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", required = true, description = "Output folder.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (frames < 1 || future < 0 || index < 0) {
      throw new IllegalArgumentException("--frames must be >= 1, --future and --index >= 0");
    }
    ClipRecord clip = ClipFiles.readOne(data, index);
    if (clip.numFrames() < frames + future) {
      throw new IllegalArgumentException("sequence " + index + " has " + clip.numFrames() + " frames; --frames + --future is " + (frames + future));
    }
    try (LoadedModel model = slotOptions.open(checkpoint, 0);
        dev.provide.ops.OutputFolder folder = dev.provide.ops.OutputFolder.create(out)) {
      Renderer.Output o = Renderer.render(model, clip, frames, future, seed, restartOptions.restarts(), out, "sequence-" + index,
          "sequence " + index + " of " + data.getFileName());
      folder.done();
      System.out.printf("sequence %d: ARI %s, F-ARI %s, MSE %.5f over %d frames%n", index, ClipScores.format(o.observed().ari()),
          ClipScores.format(o.observed().foregroundAri()), o.observed().mse(), frames);
      if (!o.observed().hasGroundTruth()) {
        System.out.println(ClipScores.NO_GROUND_TRUTH);
      }
      System.out.println("wrote " + o.png() + ", " + o.gif() + " and " + o.html());
    }
    return 0;
  }
}
