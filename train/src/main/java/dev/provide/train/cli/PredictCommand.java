package dev.provide.train.cli;

import dev.provide.graph.VideoInference;
import dev.provide.graph.LoadedModel;
import dev.provide.train.Predictor;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.predict.Forecast;
import dev.provide.train.predict.HorizonScores;
import dev.provide.train.predict.PredictionReport;
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
      "per-slot masks as pictures, and report MSE, ARI and F-ARI of the predictions against the true future",
      "at each horizon, beside three baselines: copying the last observed frame, the background alone, and",
      "moving each slot's mask and appearance on at the velocity of its centroid over the last two frames.",
      "On labelled data a reference is added, cv_true_masks: the same constant velocity on the true masks",
      "(it reads the labels, so it is not a baseline; it shows how far linear extrapolation of perfectly",
      "segmented objects gets)."
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

  @Option(names = "--rollout", defaultValue = "mean",
      description = "What each predicted frame decodes: mean (the prior mean, the paper's rollout) or sample "
          + "(a draw from the prior, seeded by --seed). Default: ${DEFAULT-VALUE}.")
  String rolloutName;

  @Option(names = "--feedback-sharpness", defaultValue = "1", paramLabel = "S",
      description = "After each predicted frame, feed back as the next observation the frame mixed with masks "
          + "softmax(S * logits) over slots instead of the predicted frame itself (S = 1, the paper's rollout); S > 1 "
          + "sharpens the masks it sees. The frames and masks scored are the predicted ones. Default: ${DEFAULT-VALUE}.")
  float feedbackSharpness;

  @Option(names = "--observe-draws", defaultValue = "1", paramLabel = "N",
      description = "Roll out from the state after the observed frames averaged over N inferences of them, which share the "
          + "first 3 frames (all but the last when fewer than 4 are observed) and draw their own noise after (docs/MODEL.md section 6f): the forecast starts from a velocity "
          + "less blurred by the inference's noise. Costs N more inferences of the observed frames. 1 = the paper's "
          + "rollout, from one inference. Default: ${DEFAULT-VALUE}.")
  int observeDraws;

  @Option(names = "--seed", defaultValue = "1", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--out", description = "Folder for the pictures (predict-<i>.png) and the report: prediction.json, prediction.md and "
      + "prediction.png (MSE and F-ARI against horizon, one line per predictor).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Predictor.Rollout rollout = Predictor.Rollout.parse(rolloutName);
    Predictor.requireFeedbackSharpness(feedbackSharpness);
    Predictor.requireObserveDraws(observeDraws);
    List<ClipRecord> clips = ClipFiles.read(data, count);
    try (LoadedModel model = slotOptions.open(checkpoint, 0);
        dev.provide.ops.OutputFolder folder = out == null ? null : dev.provide.ops.OutputFolder.create(out)) {
      ClipFiles.requireFrameSize(clips, model.config().imageSize(), data);
      int k = model.config().slots(), s = model.config().imageSize();
      int[] drawn = {0};
      HorizonScores horizons = new Predictor(model, seed, restartOptions.restarts(), rollout, feedbackSharpness, observeDraws).predictAll(clips, observe, future, p -> {
        if (out != null) {
          VideoInference.Clip joined = p.observed().then(p.future());
          for (int b = 0; b < p.observed().batch(); b++, drawn[0]++) {
            write(DecompositionPicture.drawLabelled(p.truth().frames(), joined, b, k, s, observe, 2, 1), out.resolve("predict-" + drawn[0] + ".png"));
          }
        }
      });
      System.out.printf("observed %d frames, predicted %d, over %d sequences%n", observe, future, clips.size());
      System.out.printf("predicted frames: MSE %.5f, ARI %s, F-ARI %s%n", horizons.overall(Forecast.MODEL, HorizonScores.Metric.MSE),
          ClipScores.format(horizons.overall(Forecast.MODEL, HorizonScores.Metric.ARI)),
          ClipScores.format(horizons.overall(Forecast.MODEL, HorizonScores.Metric.F_ARI)));
      String rolloutLabel = rollout.label() + (feedbackSharpness == 1f ? "" : ", feedback sharpness " + feedbackSharpness)
          + (model.config().temporal().inferredRollout() ? ", each predicted frame inferred as observed (MODEL.md 6c)" : "")
          + (model.config().temporal().rolloutPasses() > 1 ? ", " + model.config().temporal().rolloutPasses() + " refinement passes per predicted frame (MODEL.md 6d)" : "")
          + (observeDraws > 1 ? ", from the state averaged over " + observeDraws + " inferences of the observed frames (MODEL.md 6f)" : "");
      PredictionReport.Setup setup = new PredictionReport.Setup(observe, clips.size(), data, rolloutLabel);
      String md = PredictionReport.markdown(horizons, setup);
      System.out.println(md);
      if (out != null) {
        PredictionReport.write(out, horizons, setup, model.checkpoint().dir().toString(), model.config().slots());
        folder.done();
        System.out.println("wrote " + clips.size() + " pictures to " + out + " (predicted frames outlined in red), and "
            + PredictionReport.JSON + ", " + PredictionReport.MARKDOWN + ", " + PredictionReport.PLOT);
      }
    }
    return 0;
  }

  private static void write(java.awt.image.BufferedImage img, Path file) {
    try {
      Images.writePng(img, file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
