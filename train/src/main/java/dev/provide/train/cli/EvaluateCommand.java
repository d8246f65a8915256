package dev.provide.train.cli;

import dev.provide.ops.PartialFiles;

import com.google.gson.GsonBuilder;
import dev.provide.train.Evaluator;
import dev.provide.graph.LoadedModel;
import dev.provide.graph.Restarts;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code provide evaluate}: the paper's table for a trained model. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Score a trained model on full sequences: ARI, F-ARI and MSE over the first L frames for each",
      "evaluated length L (the paper's table). Prints the table and writes metrics.json, metrics.md",
      "and frames.csv (ARI and F-ARI of every frame of every sequence, to find where a model fails)."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run folder (its newest checkpoint), a checkpoint folder or a model folder.")
  Path checkpoint;

  @Option(names = "--data", required = true, description = "Clip file with ground truth.")
  Path data;

  @Option(names = "--lengths", defaultValue = "10,20,30,40", split = ",", description = "Evaluated lengths. Default: ${DEFAULT-VALUE}.")
  List<Integer> lengths;

  @Option(names = "--count", defaultValue = "100", description = "Sequences to evaluate (the first N). Default: ${DEFAULT-VALUE}.")
  int count;

  @Option(names = "--batch", defaultValue = "10", description = "Sequences per batch. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--seed", defaultValue = "1", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Mixin
  SlotOptions slotOptions = new SlotOptions();

  @Mixin
  RestartOptions restartOptions = new RestartOptions();

  @Option(names = "--out", description = "Folder for metrics.json, metrics.md and frames.csv.")
  Path out;

  @Option(names = "--threads", defaultValue = "0", description = "TensorFlow intra-op threads (0 = all cores).")
  int threads;

  @Option(names = "--precision", defaultValue = "float32",
      description = "float32, or bfloat16 mixed precision (refused on a CPU without native bfloat16). Default: ${DEFAULT-VALUE}.")
  String precision;

  @Override
  public Integer call() throws Exception {
    dev.provide.graph.Precision p = dev.provide.graph.Precision.parse(precision);
    p.require(false);
    List<ClipRecord> clips = ClipFiles.read(data, count);
    try (LoadedModel model = slotOptions.open(checkpoint, threads, p)) {
      ClipFiles.requireFrameSize(clips, model.config().imageSize(), data);
      Restarts restarts = restartOptions.restarts();
      Evaluator evaluator = new Evaluator(model, batch, seed, restarts);
      Map<Integer, Evaluator.Scores> results;
      StringBuilder frameRows = new StringBuilder("sequence,frame,ari,f_ari\n");
      long start = System.nanoTime();
      try (ProgressBar bar = Progress.bar("Evaluating", clips.size(), "seq")) {
        results = evaluator.evaluate(clips, lengths, bar::stepTo,
            (sequence, frame, ari, fari) -> frameRows.append(String.format(Locale.ROOT, "%d,%d,%.5f,%.5f%n", sequence, frame, ari, fari)));
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      int trainedSlots = model.checkpoint().config().slots();
      String title = model.config().mode().label() + " on " + clips.size() + " sequences"
          + (model.config().slots() != trainedSlots ? ", " + model.config().slots() + " slots (trained with " + trainedSlots + ")" : "")
          + (restarts.enabled() ? ", " + restarts.count() + " restarts on " + restarts.frames() + " frames" : "");
      String table = Evaluator.markdown(results, title);
      System.out.print(table);
      System.out.printf("(%s, checkpoint %s, %.1f s)%n", data, model.checkpoint().dir(), seconds);
      if (out != null) {
        try (dev.provide.ops.OutputFolder folder = dev.provide.ops.OutputFolder.create(out)) {
        Map<String, Object> json = new LinkedHashMap<>();
        results.forEach((l, s) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("ari", ClipScores.orNull(s.ari()));
          row.put("f_ari", ClipScores.orNull(s.foregroundAri()));
          row.put("mse", s.mse());
          row.put("frames_scored", s.frames());
          json.put(String.valueOf(l), row);
        });
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("checkpoint", model.checkpoint().dir().toString());
        meta.put("step", model.checkpoint().step());
        meta.put("mode", model.config().mode().label());
        meta.put("slots", model.config().slots());
        meta.put("trained_slots", trainedSlots);
        meta.put("data", data.toString());
        meta.put("sequences", clips.size());
        meta.put("seed", seed);
        meta.put("restarts", restarts.count());
        meta.put("restart_frames", restarts.frames());
        meta.put("lengths", new ArrayList<>(lengths));
        json.put("meta", meta);
        // Each file whole or not at all; metrics.json last, so that its presence means all three are there.
        PartialFiles.writeString(out.resolve("frames.csv"), frameRows.toString());
        PartialFiles.writeString(out.resolve("metrics.md"), table);
        PartialFiles.writeString(out.resolve("metrics.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json));
        folder.done();
        }
        System.out.println("wrote " + out.resolve("metrics.json") + ", metrics.md and frames.csv");
      }
    }
    return 0;
  }
}
