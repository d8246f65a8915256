package dev.provide.export;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ConfigJson;
import dev.provide.graph.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;

/**
 * Exports a checkpoint as a SavedModel in TensorFlow Serving's layout {@code BASE/VERSION/}
 * ({@code saved_model.pb}, {@code variables/}, and the model's {@code config.json} and
 * {@code provenance.json} under {@code assets.extra/}, with example REST requests in
 * {@code assets.extra/requests/}, see {@link ServingRequests}), tag {@code serve}, from the lean
 * {@link ServingGraph}. Written to a temporary folder and renamed, so TensorFlow Serving, which
 * watches BASE for new versions, never sees a half-written one.
 */
public final class SavedModelExporter {
  static {
    dev.provide.ops.NativeLogLevel.apply(); // before TensorFlow's natives start: errors only, unless the user set a level
  }

  /** The tag TensorFlow Serving loads. */
  public static final String TAG = "serve";

  private SavedModelExporter() {}

  /**
   * Exports.
   *
   * @param base the model's base folder (TensorFlow Serving's {@code model_base_path})
   * @param version the version number (a new sub-folder; must not exist)
   * @param frames frames of the {@code serving_default} and {@code predict} signatures
   * @param future frames {@code predict} returns
   * @return the version folder
   */
  public static Path export(Checkpoints.Checkpoint checkpoint, Path base, long version, int frames, int future) throws IOException {
    return export(checkpoint, base, version, frames, future, 0);
  }

  /**
   * Exports a model that runs with {@code slots} slots instead of the K it was trained with (0
   * keeps it; see {@link dev.provide.graph.LoadedModel#open(Path, boolean, int, int)}). The
   * exported {@code assets.extra/config.json} is the configuration the SavedModel runs, so it
   * holds the new K; {@code provenance.json} still describes the training.
   */
  public static Path export(Checkpoints.Checkpoint checkpoint, Path base, long version, int frames, int future, int slots)
      throws IOException {
    return export(checkpoint, base, version, frames, future, slots, 1);
  }

  /**
   * Exports a model whose {@code predict} signature rolls out from the state averaged over {@code
   * observeDraws} inferences of the observed frames (MODEL.md section 6f, as {@code provide predict
   * --observe-draws}; 1: from the decomposition's own state, as the paper). The other signatures
   * do not change.
   */
  public static Path export(Checkpoints.Checkpoint checkpoint, Path base, long version, int frames, int future, int slots,
      int observeDraws) throws IOException {
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1 (TensorFlow Serving loads numbered folders), got " + version);
    }
    ServingGraph.checkFrames(frames, future, observeDraws);
    Path target = base.resolve(Long.toString(version));
    if (Files.exists(target)) {
      throw new IllegalArgumentException(target + " exists; choose another --version");
    }
    ModelConfig config = checkpoint.config().runningWith(slots);
    boolean baseIsNew = !Files.exists(base);
    Files.createDirectories(base);
    Path tmp = dev.provide.ops.PartialFiles.directory(target);
    boolean done = false;
    try (Graph g = new Graph()) {
      ServingGraph serving = ServingGraph.build(g, config, frames, future, observeDraws);
      try (Session s = new Session(g)) {
        checkpoint.restoreInto(s);
        Path out = tmp.resolve("model");
        SavedModelBundle.exporter(out.toString())
            .withTags(TAG)
            .withSession(s)
            .withSignatures(serving.signatures.toArray(new Signature[0]))
            .export();
        Path extra = out.resolve("assets.extra");
        Files.createDirectories(extra);
        ConfigJson.write(config, extra.resolve(Checkpoints.CONFIG));
        ServingRequests.write(extra.resolve(ServingRequests.FOLDER), config, frames, s, serving);
        Path provenance = checkpoint.dir().resolve(Checkpoints.PROVENANCE);
        if (Files.exists(provenance)) {
          Files.copy(provenance, extra.resolve(Checkpoints.PROVENANCE));
        }
        Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
      }
      done = true;
      return target;
    } finally {
      dev.provide.ops.PartialFiles.deleteTree(tmp);
      if (!done && baseIsNew) {
        deleteIfEmpty(base); // a failed export (a full disk) leaves no empty folder behind
      }
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      if (s.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (java.io.IOException e) {
      // best effort: the export's own error is the one to report
    }
  }
}
