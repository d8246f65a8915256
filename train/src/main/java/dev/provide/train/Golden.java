package dev.provide.train;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.VideoInference;
import dev.provide.train.data.BallsGenerator;
import dev.provide.train.data.BallsSimulator;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.TfRecordReader;
import dev.provide.train.data.TfRecordWriter;
import dev.provide.train.data.Variant;
import dev.provide.train.metrics.ClipScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Golden outputs of the shipped model for regression tests: fixed inputs ({@code input.tfrecord},
 * Bouncing Balls with a fixed seed) and what the model made of them ({@code expected.tfrecord}: one
 * tf.train.Example with the masks, reconstruction and segmentation of the decomposed frames, the
 * predicted frames, and ARI / F-ARI / MSE). Regenerate with
 * {@code ./provide golden --model testdata/model --out testdata/golden}.
 */
public final class Golden {
  /** Sequences and frames of the golden input. */
  public static final int SEQUENCES = 2, FRAMES = 6, FUTURE = 3;
  /** The noise seed of the golden run. */
  public static final long SEED = 1;

  /**
   * The expected outputs.
   *
   * @param masks [B, F, K, H, W]
   * @param reconstruction [B, F, H, W, 3]
   * @param segmentation [B, F, H, W]
   * @param future predicted frames [B, P, H, W, 3]
   */
  public record Expected(float[] masks, float[] reconstruction, int[] segmentation, float[] future, double ari, double foregroundAri, double mse) {}

  private Golden() {}

  /** The golden input clips for a model of this image size. */
  public static List<ClipRecord> inputs(int size) {
    BallsGenerator g = new BallsGenerator(new BallsGenerator.Settings(4, 4, Variant.BINARY, FRAMES + FUTURE, size, true,
        BallsSimulator.Physics.defaults(), 20261125));
    List<ClipRecord> out = new ArrayList<>();
    for (int i = 0; i < SEQUENCES; i++) {
      out.add(g.sequence(i));
    }
    return out;
  }

  /**
   * Runs the model on the golden inputs through the checkpoint path, one sequence at a time (batch
   * 1, as VideoDecomposer runs a video: the sampling noise of a slot depends on its row in the
   * batch).
   */
  public static Expected compute(LoadedModel model, List<ClipRecord> inputs) {
    int k = model.config().slots(), s = model.config().imageSize(), p = s * s, n = inputs.size();
    float[] masks = new float[n * FRAMES * k * p], recon = new float[n * FRAMES * p * 3], future = new float[n * FUTURE * p * 3];
    int[] segmentation = new int[n * FRAMES * p];
    ClipScores scores = new ClipScores();
    for (int i = 0; i < n; i++) {
      ClipBatches.Batch b = ClipBatches.sequences(inputs, i, 1, FRAMES);
      VideoInference.Clip clip = model.inference().decompose(b.frames(), 1, FRAMES, SEED, 1f);
      VideoInference.Clip next = model.inference().predict(clip.last(), FUTURE);
      scores.add(clip.masks(), clip.reconstruction(), b.frames(), b.ids(), 1, FRAMES, k, p);
      System.arraycopy(clip.masks(), 0, masks, i * FRAMES * k * p, FRAMES * k * p);
      System.arraycopy(clip.reconstruction(), 0, recon, i * FRAMES * p * 3, FRAMES * p * 3);
      System.arraycopy(clip.segmentation(), 0, segmentation, i * FRAMES * p, FRAMES * p);
      System.arraycopy(next.reconstruction(), 0, future, i * FUTURE * p * 3, FUTURE * p * 3);
    }
    return new Expected(masks, recon, segmentation, future, scores.ari(), scores.foregroundAri(), scores.mse());
  }

  /** Writes input.tfrecord and expected.tfrecord into {@code dir}. */
  public static void write(Path dir, List<ClipRecord> inputs, Expected e) throws IOException {
    Files.createDirectories(dir);
    ClipFiles.write(dir.resolve("input.tfrecord"), inputs, false);
    Features.Builder f = Features.newBuilder()
        .putFeature("masks", floats(e.masks()))
        .putFeature("reconstruction", floats(e.reconstruction()))
        .putFeature("future", floats(e.future()))
        .putFeature("segmentation", ints(e.segmentation()))
        .putFeature("scores", floats(new float[] {(float) e.ari(), (float) e.foregroundAri(), (float) e.mse()}));
    try (TfRecordWriter w = TfRecordWriter.create(dir.resolve("expected.tfrecord"), true)) {
      w.write(Example.newBuilder().setFeatures(f).build().toByteArray());
      w.commit();
    }
  }

  /** Reads expected.tfrecord. */
  public static Expected read(Path dir) throws IOException {
    try (TfRecordReader r = TfRecordReader.open(dir.resolve("expected.tfrecord"))) {
      Map<String, Feature> f = Example.parseFrom(r.next()).getFeatures().getFeatureMap();
      float[] scores = floats(f.get("scores"));
      long[] seg = f.get("segmentation").getInt64List().getValueList().stream().mapToLong(Long::longValue).toArray();
      int[] segmentation = new int[seg.length];
      for (int i = 0; i < seg.length; i++) {
        segmentation[i] = (int) seg[i];
      }
      return new Expected(floats(f.get("masks")), floats(f.get("reconstruction")), segmentation, floats(f.get("future")),
          scores[0], scores[1], scores[2]);
    }
  }

  private static Feature floats(float[] v) {
    FloatList.Builder b = FloatList.newBuilder();
    for (float x : v) {
      b.addValue(x);
    }
    return Feature.newBuilder().setFloatList(b).build();
  }

  private static Feature ints(int[] v) {
    Int64List.Builder b = Int64List.newBuilder();
    for (int x : v) {
      b.addValue(x);
    }
    return Feature.newBuilder().setInt64List(b).build();
  }

  private static float[] floats(Feature f) {
    List<Float> l = f.getFloatList().getValueList();
    float[] out = new float[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }
}
