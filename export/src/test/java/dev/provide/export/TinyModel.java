package dev.provide.export;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ConfigJson;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** A tiny untrained model saved as a checkpoint folder, and inputs for it. */
final class TinyModel {
  private TinyModel() {}

  static ModelConfig config() {
    return dev.provide.graph.testing.TinyConfig.create();
  }

  /** Writes a checkpoint folder with the configuration's initial weights. */
  static Checkpoints.Checkpoint checkpoint(Path dir) throws IOException {
    return checkpoint(dir, config());
  }

  /** Writes a checkpoint folder with the initial weights of configuration {@code c}. */
  static Checkpoints.Checkpoint checkpoint(Path dir, ModelConfig c) throws IOException {
    Files.createDirectories(dir);
    try (Graph g = new Graph()) {
      TrainingGraph.build(g, c, 1, null);
      try (Session s = new Session(g)) {
        s.initialize();
        s.save(dir.resolve(Checkpoints.PREFIX).toString());
      }
    }
    ConfigJson.write(c, dir.resolve(Checkpoints.CONFIG));
    return Checkpoints.resolve(dir);
  }

  /** F frames [F, 8, 8, 3] of sparse white dots. */
  static float[] video(int frames, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[frames * 8 * 8 * 3];
    for (int i = 0; i < v.length; i += 3) {
      float x = rnd.nextFloat() < 0.2f ? 1f : 0f;
      v[i] = x;
      v[i + 1] = x;
      v[i + 2] = x;
    }
    return v;
  }
}
