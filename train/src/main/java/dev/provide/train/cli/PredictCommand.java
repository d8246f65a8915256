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

  @Option(names = "--seed", defaultValue = "1", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", description = "Folder for the pictures (predict-<i>.png).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(data, count);
    try (LoadedModel model = LoadedModel.open(checkpoint, false, 0)) {
      Predictor.Prediction p = new Predictor(model, seed).predict(clips, 0, clips.size(), observe, future);
      System.out.printf("observed %d frames, predicted %d, over %d sequences%n", observe, future, clips.size());
      System.out.printf("predicted frames: MSE %.5f, ARI %.4f, F-ARI %.4f%n", p.scores().mse(), p.scores().ari(), p.scores().foregroundAri());
      if (out != null) {
        int k = model.config().slots(), s = model.config().imageSize();
        VideoInference.Clip joined = join(p.observed(), p.future(), k, s, model.config().latentSize());
        for (int b = 0; b < clips.size(); b++) {
          Images.writePng(DecompositionPicture.draw(p.truth().frames(), joined, b, k, s, observe, 2), out.resolve("predict-" + b + ".png"));
        }
        System.out.println("wrote " + clips.size() + " pictures to " + out + " (predicted frames outlined in red)");
      }
    }
    return 0;
  }

  /** Observed then predicted frames as one clip. */
  static VideoInference.Clip join(VideoInference.Clip a, VideoInference.Clip b, int k, int s, int d) {
    int batch = a.batch(), fa = a.frames(), fb = b.frames(), f = fa + fb, p = s * s;
    float[] masks = new float[batch * f * k * p], means = new float[batch * f * k * p * 3], recon = new float[batch * f * p * 3];
    int[] seg = new int[batch * f * p];
    float[] lat = new float[batch * f * k * d];
    for (int i = 0; i < batch; i++) {
      copy(a.masks(), b.masks(), masks, i, fa, fb, k * p);
      copy(a.means(), b.means(), means, i, fa, fb, k * p * 3);
      copy(a.reconstruction(), b.reconstruction(), recon, i, fa, fb, p * 3);
      copy(a.latents(), b.latents(), lat, i, fa, fb, k * d);
      System.arraycopy(a.segmentation(), i * fa * p, seg, i * f * p, fa * p);
      System.arraycopy(b.segmentation(), i * fb * p, seg, (i * f + fa) * p, fb * p);
    }
    return new VideoInference.Clip(masks, means, recon, seg, lat, batch, f, b.last());
  }

  private static void copy(float[] a, float[] b, float[] out, int i, int fa, int fb, int per) {
    int f = fa + fb;
    System.arraycopy(a, i * fa * per, out, i * f * per, fa * per);
    System.arraycopy(b, i * fb * per, out, (i * f + fa) * per, fb * per);
  }
}
