package dev.provide.train.cli;

import dev.provide.export.SavedModelExporter;
import dev.provide.graph.Checkpoints;
import dev.provide.graph.LoadedModel;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.Provenance;
import dev.provide.graph.TrainingGraph;
import dev.provide.train.Evaluator;
import dev.provide.train.Predictor;
import dev.provide.train.predict.Forecast;
import dev.provide.train.predict.HorizonScores;
import dev.provide.train.predict.PredictionReport;
import dev.provide.train.LearningRateDecay;
import dev.provide.train.Trainer;
import dev.provide.train.data.BallsGenerator;
import dev.provide.train.data.BallsSimulator;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.Variant;
import dev.provide.train.render.Renderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code provide demo}: the whole product in one command. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate a small Bouncing Balls test set, decompose and predict it with the shipped model (or one",
      "trained now with --train MINUTES), print the ARI / F-ARI / MSE table, and write a report with",
      "pictures and a SavedModel."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", defaultValue = "demo-out", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--model", description = "Model folder (default: testdata/model of this checkout).")
  Path model;

  @Option(names = "--train", defaultValue = "0", description = "Train a fresh model for this many minutes first (0 = use the shipped model).")
  double trainMinutes;

  @Option(names = "--sequences", defaultValue = "20", description = "Test sequences. Default: ${DEFAULT-VALUE}.")
  int sequences;

  @Mixin
  SlotOptions slotOptions = new SlotOptions();

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    Files.createDirectories(out);
    Path modelDir = model != null ? model : Path.of(System.getProperty("provide.home", ".")).resolve("testdata").resolve("model");
    if (trainMinutes > 0) {
      modelDir = train(trainMinutes);
    }
    Checkpoints.Checkpoint cp = Checkpoints.resolve(modelDir);
    ModelConfig config = cp.config();
    int size = config.imageSize();
    Variant variant = config.loss().entropy() > 0 ? Variant.BINARY : Variant.COLOUR;
    Path testFile = out.resolve("test.tfrecord");
    List<ClipRecord> test = generate(sequences, 40, size, variant, 12345, testFile);
    System.out.printf("1. generated %d %s Bouncing Balls sequences of 40 frames at %dx%d: %s%n", test.size(), variant, size, size, testFile);

    try (LoadedModel loaded = slotOptions.open(cp.dir(), 0)) {
      System.out.printf("2. loaded the %s model (trained with %d slots, run with %d) from %s%n", config.mode().label(), config.slots(),
          loaded.config().slots(), cp.dir());
      Map<Integer, Evaluator.Scores> table = new Evaluator(loaded, 10, 1).evaluate(test, List.of(10, 20, 30, 40), n -> {});
      String md = Evaluator.markdown(table, "decomposition, " + test.size() + " sequences");
      dev.provide.ops.PartialFiles.writeString(out.resolve("metrics.md"), md);
      System.out.println("3. decomposed them (ARI, F-ARI over the first L frames; MSE of the reconstruction):\n");
      System.out.println(md);
      HorizonScores horizons = new Predictor(loaded, 1).predictAll(test, 10, 10, p -> {});
      PredictionReport.Setup setup = new PredictionReport.Setup(10, test.size(), testFile, Predictor.Rollout.MEAN.label());
      PredictionReport.write(out, horizons, setup, cp.dir().toString(), loaded.config().slots());
      System.out.printf("4. observed 10 frames and predicted the next 10: MSE %.5f, ARI %.4f, F-ARI %.4f; per horizon, beside%n"
              + "   copying the last frame, the background alone, constant velocity, and constant velocity on the\n"
              + "   true masks, a reference that reads the labels (plot: %s):%n",
          horizons.overall(Forecast.MODEL, HorizonScores.Metric.MSE), horizons.overall(Forecast.MODEL, HorizonScores.Metric.ARI),
          horizons.overall(Forecast.MODEL, HorizonScores.Metric.F_ARI), out.resolve(PredictionReport.PLOT));
      System.out.println(PredictionReport.markdown(horizons, setup));
      Renderer.Output pictures = Renderer.render(loaded, test.get(0), 10, 5, 1, out, "report", "the demo's test sequence 0");
      System.out.printf("5. pictures and report: %s (open it in a browser), %s, %s%n", pictures.html(), pictures.png(), pictures.gif());
    }
    Path base = out.resolve("savedmodel").resolve("provide");
    long version = 1;
    while (Files.exists(base.resolve(Long.toString(version)))) {
      version++;
    }
    Path saved = SavedModelExporter.export(cp, base, version, 10, 10, slotOptions.slots);
    System.out.printf("6. SavedModel for TensorFlow Serving: %s%n", saved);
    System.out.printf("%nDone in %.0f s. Everything is in %s%n", (System.nanoTime() - start) / 1e9, out.toAbsolutePath());
    return 0;
  }

  private static List<ClipRecord> generate(int count, int frames, int size, Variant variant, long seed, Path file) throws Exception {
    BallsGenerator g = new BallsGenerator(new BallsGenerator.Settings(4, 4, variant, frames, size, true, BallsSimulator.Physics.defaults(), seed));
    List<ClipRecord> clips = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clips.add(g.sequence(i));
    }
    ClipFiles.write(file, clips, false);
    return clips;
  }

  private Path train(double minutes) throws Exception {
    Path data = out.resolve("train.tfrecord");
    List<ClipRecord> clips = generate(1016, 20, 32, Variant.BINARY, 777, data);
    System.out.printf("0. training a cpu-preset model for %s minutes on %s (progress below)...%n", minutes, data);
    ModelConfig c = ModelConfig.cpu();
    Path run = out.resolve("run");
    Trainer.Options o = new Trainer.Options(4, 4, Long.MAX_VALUE / 2, minutes, new TrainingGraph.Optimization(5e-4, 5), 3000, 0,
        20, 500, 1000, 2, 1, false, 0, 0, true, LearningRateDecay.NONE);
    Provenance prov = new Provenance(data.toString(), "last 16 sequences", 1, 0, 0, Provenance.gitCommit(),
        org.tensorflow.TensorFlow.version(), 4, 4, 5e-4, 3000, "", List.of());
    Trainer.Result r = new Trainer(c, o, run, clips.subList(0, 1000), clips.subList(1000, 1016), prov, System.out).run(false);
    if (r.lastCheckpoint() == null) {
      throw new IllegalStateException("training produced no checkpoint: " + r.message());
    }
    if (!r.message().isEmpty()) {
      System.out.println("   note: " + r.message());
    }
    return r.lastCheckpoint().dir();
  }
}
