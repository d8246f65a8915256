package dev.provide.train;

import dev.provide.graph.Provenance;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import dev.provide.train.data.BallsGenerator;
import dev.provide.train.data.BallsSimulator;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.Variant;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Tiny models and data sets that train in seconds. */
public final class Fixtures {
  private Fixtures() {}

  /** An 8 x 8 model with 3 slots. */
  public static ModelConfig tinyConfig() {
    return dev.provide.graph.testing.TinyConfig.create();
  }

  /** Binary balls at 8 x 8. */
  public static List<ClipRecord> balls(int count, int frames, long seed) {
    BallsGenerator g = new BallsGenerator(new BallsGenerator.Settings(2, 2, Variant.BINARY, frames, 8, true,
        new BallsSimulator.Physics(0.15, 1, 2, 0.05, 0.1, 4), seed));
    List<ClipRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(g.sequence(i));
    }
    return out;
  }

  public static Trainer.Options options(long steps, double lr) {
    return options(steps, lr, LearningRateDecay.NONE);
  }

  public static Trainer.Options options(long steps, double lr, LearningRateDecay decay) {
    return new Trainer.Options(2, 3, steps, 0, new TrainingGraph.Optimization(lr, 5), 0, 0, 1, 1000, 2, 2, 3, false, 0, 0, false, decay);
  }

  public static Provenance provenance() {
    return new Provenance("test-data", "test-val", 3, 0, 0, "test", "2.18.0", 2, 3, 1e-3, 0, "", List.of("--lr", "1e-3"));
  }

  public static Trainer trainer(Path run, long steps, double lr) {
    return trainer(run, options(steps, lr));
  }

  public static Trainer trainer(Path run, Trainer.Options options) {
    return trainer(run, options, new PrintStream(PrintStream.nullOutputStream()));
  }

  /** A trainer that logs to {@code log}. */
  public static Trainer trainer(Path run, long steps, double lr, PrintStream log) {
    return trainer(run, options(steps, lr), log);
  }

  /** A trainer with these options that logs to {@code log}. */
  public static Trainer trainer(Path run, Trainer.Options options, PrintStream log) {
    return new Trainer(tinyConfig(), options, run, balls(6, 5, 1), balls(2, 5, 2), provenance(), log);
  }
}
