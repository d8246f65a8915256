package dev.provide.train.cli;

import dev.provide.graph.VideoInference;
import dev.provide.graph.LoadedModel;
import dev.provide.train.Predictor;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.render.DecompositionPicture;
import dev.provide.train.render.Images;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code provide predict}: roll a trained model into the future. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Observe the first frames of sequences, predict the next ones, write the predicted frames and",
      "per-slot masks as pictures, and report MSE, ARI and F-ARI of the predictions against the true future."
    })
final class PredictCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run folder, a checkpoint folder or a model folder.")
  Path checkpoint;

  @Option(names = "--data", required = true, description = "Clip file.")
  Path data;

  @Option(names = "--observe", defaultValue = "10", description = "Frames observed. Default: ${DEFAULT-VALUE}.")
  int observe;

  @Option(names = "--future", defaultValue = "10", description = "Frames predicted. Default: ${DEFAULT-VALUE}.")
  int future;

  @Option(names = "--count", defaultValue = "10", description = "Sequences. Default: ${DEFAULT-VALUE}.")
  int count;

  @Mixin
  SlotOptions slotOptions = new SlotOptions();

  @Mixin
  RestartOptions restartOptions = new RestartOptions();

  @Option(names = "--seed", defaultValue = "1", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", description = "Folder for the pictures (predict-<i>.png).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(data, count);
    try (LoadedModel model = slotOptions.open(checkpoint, 0)) {
      ClipFiles.requireFrameSize(clips, model.config().imageSize(), data);
      Predictor.Prediction p = new Predictor(model, seed, restartOptions.restarts()).predict(clips, 0, clips.size(), observe, future);
      System.out.printf("observed %d frames, predicted %d, over %d sequences%n", observe, future, clips.size());
      System.out.printf("predicted frames: MSE %.5f, ARI %.4f, F-ARI %.4f%n", p.scores().mse(), p.scores().ari(), p.scores().foregroundAri());
      if (out != null) {
        int k = model.config().slots(), s = model.config().imageSize();
        VideoInference.Clip joined = p.observed().then(p.future());
        for (int b = 0; b < clips.size(); b++) {
          Images.writePng(DecompositionPicture.draw(p.truth().frames(), joined, b, k, s, observe, 2), out.resolve("predict-" + b + ".png"));
        }
        System.out.println("wrote " + clips.size() + " pictures to " + out + " (predicted frames outlined in red)");
      }
    }
    return 0;
  }
}
