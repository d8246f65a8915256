package dev.provide.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.Session;

/**
 * Checkpoints of a run folder: {@code RUN/checkpoints/step-00001000/} holds the variables
 * ({@code model.index}, {@code model.data-*}), {@code config.json} and {@code provenance.json}.
 * Each is written into a temporary folder and renamed when complete, so a crash never leaves a
 * half-written checkpoint under a real name; only the newest few are kept.
 */
public final class Checkpoints {
  /** Sub-folder of a run that holds the checkpoints. */
  public static final String FOLDER = "checkpoints";
  /** File prefix of the variables inside a checkpoint folder. */
  public static final String PREFIX = "model";
  /** The configuration file inside a checkpoint folder. */
  public static final String CONFIG = "config.json";
  /** The provenance file inside a checkpoint folder. */
  public static final String PROVENANCE = "provenance.json";

  private Checkpoints() {}

  /**
   * One checkpoint folder.
   *
   * @param dir the folder
   * @param step the optimiser step it was taken at
   */
  public record Checkpoint(Path dir, long step) {
    /** The prefix to pass to {@link Session#restore(String)}. */
    public String prefix() {
      return dir.resolve(PREFIX).toString();
    }

    /**
     * Restores its variables into {@code session}.
     *
     * @throws IOException naming this checkpoint when its files are damaged or missing
     */
    public void restoreInto(Session session) throws IOException {
      try {
        session.restore(prefix());
      } catch (org.tensorflow.exceptions.TensorFlowException e) {
        String why = dev.provide.ops.ErrorMessages.firstLine(e);
        throw new IOException("checkpoint " + dir + " cannot be read (" + why + ")", e);
      }
    }

    /**
     * Adds to {@code tf}'s graph an op that reads the float variables {@code names} (whole) from
     * this checkpoint; its outputs, in that order, hold their saved values when run.
     */
    public List<org.tensorflow.Output<org.tensorflow.types.TFloat32>> read(org.tensorflow.op.Ops tf, String[] names) {
      String[] whole = java.util.Collections.nCopies(names.length, "").toArray(String[]::new); // "" = the whole tensor, not a slice
      List<Class<? extends org.tensorflow.types.family.TType>> types =
          java.util.Collections.nCopies(names.length, org.tensorflow.types.TFloat32.class);
      org.tensorflow.op.train.Restore restored = tf.train.restore(tf.constant(prefix()),
          tf.constant(java.nio.charset.StandardCharsets.UTF_8, names), tf.constant(java.nio.charset.StandardCharsets.UTF_8, whole), types);
      List<org.tensorflow.Output<org.tensorflow.types.TFloat32>> out = new ArrayList<>();
      for (org.tensorflow.Output<?> o : restored.tensors()) {
        @SuppressWarnings("unchecked")
        org.tensorflow.Output<org.tensorflow.types.TFloat32> value = (org.tensorflow.Output<org.tensorflow.types.TFloat32>) o;
        out.add(value);
      }
      return out;
    }

    /** The model configuration saved with it. */
    public ModelConfig config() throws IOException {
      return ConfigJson.read(dir.resolve(CONFIG));
    }

    /** The provenance saved with it. */
    public Provenance provenance() throws IOException {
      return Provenance.read(dir.resolve(PROVENANCE));
    }
  }

  /** Saves the session's variables with the configuration and provenance; keeps the newest {@code keep}. */
  public static Checkpoint save(Session session, Path run, long step, ModelConfig config, Provenance provenance, int keep)
      throws IOException {
    Path folder = run.resolve(FOLDER);
    Files.createDirectories(folder);
    String name = String.format("step-%08d", step);
    Path partial = dev.provide.ops.PartialFiles.directory(folder.resolve(name));
    try {
      session.save(partial.resolve(PREFIX).toString());
      ConfigJson.write(config, partial.resolve(CONFIG));
      provenance.write(partial.resolve(PROVENANCE));
      Path target = folder.resolve(name);
      if (Files.exists(target)) {
        dev.provide.ops.PartialFiles.deleteTree(target);
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      prune(run, keep);
      return new Checkpoint(target, step);
    } finally {
      if (Files.exists(partial)) {
        dev.provide.ops.PartialFiles.deleteTree(partial);
      }
    }
  }

  /**
   * Deletes the unfinished checkpoint folders ({@code checkpoints/.step-N.*.partial}) that a crash
   * during a save left in a run folder.
   *
   * @return how many were deleted
   */
  public static int removeLeftovers(Path run) throws IOException {
    return dev.provide.ops.PartialFiles.removeLeftovers(run.resolve(FOLDER), name -> name.startsWith(".step-"));
  }

  /** All complete checkpoints of a run, oldest first. */
  public static List<Checkpoint> list(Path run) throws IOException {
    Path folder = run.resolve(FOLDER);
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (Stream<Path> s = Files.list(folder)) {
      s.filter(p -> p.getFileName().toString().matches("step-\\d+") && Files.exists(p.resolve(PREFIX + ".index")))
          .forEach(p -> out.add(new Checkpoint(p, Long.parseLong(p.getFileName().toString().substring(5)))));
    }
    out.sort(Comparator.comparingLong(Checkpoint::step));
    return out;
  }

  /** The newest checkpoint of a run, if any. */
  public static Optional<Checkpoint> latest(Path run) throws IOException {
    List<Checkpoint> all = list(run);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /**
   * A checkpoint from a run folder (its newest), a checkpoint folder, or a shipped model folder
   * (any folder with {@code model.index} and {@code config.json}).
   */
  public static Checkpoint resolve(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such run or checkpoint");
    }
    if (Files.exists(path.resolve(PREFIX + ".index"))) {
      String n = path.getFileName().toString();
      long step = n.matches("step-\\d+") ? Long.parseLong(n.substring(5)) : -1;
      if (!Files.exists(path.resolve(CONFIG))) {
        throw new IOException(path + " has variables but no " + CONFIG);
      }
      return new Checkpoint(path, step);
    }
    return latest(path).orElseThrow(() -> new IOException(path + " is neither a checkpoint nor a run folder with checkpoints"));
  }

  private static void prune(Path run, int keep) throws IOException {
    List<Checkpoint> all = list(run);
    for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
      dev.provide.ops.PartialFiles.deleteTree(all.get(i).dir());
    }
  }

  /**
   * Writes a model folder for shipping: the model's weights without the optimiser state (a third
   * of a training checkpoint's size), with its configuration and provenance. Replaces
   * {@code target} atomically.
   */
  public static Checkpoint slim(Checkpoint c, Path target) throws IOException {
    return slim(List.of(c), target);
  }

  /**
   * Writes a model folder like {@link #slim(Checkpoint, Path)} whose weights are the mean of
   * those of {@code sources} ({@link WeightAverage}), all of one model configuration; one source
   * is copied as it is. The configuration and provenance are the last source's, the provenance
   * naming every source in {@code averagedFrom} when there are several.
   */
  public static Checkpoint slim(List<Checkpoint> sources, Path target) throws IOException {
    ModelConfig config = WeightAverage.commonConfig(sources);
    Checkpoint last = sources.get(sources.size() - 1);
    Path partial = dev.provide.ops.PartialFiles.directory(target);
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      InferenceGraph.build(g, config);
      try (Session s = new Session(g)) {
        last.restoreInto(s);
        if (sources.size() > 1) {
          WeightAverage.assignMean(g, s, sources);
        }
        s.save(partial.resolve(PREFIX).toString());
      }
      Files.copy(last.dir().resolve(CONFIG), partial.resolve(CONFIG));
      if (Files.exists(last.dir().resolve(PROVENANCE))) {
        if (sources.size() > 1) {
          List<String> names = sources.stream().map(c -> c.dir() + " (step " + c.step() + ")").toList();
          last.provenance().averagedOver(names).write(partial.resolve(PROVENANCE));
        } else {
          Files.copy(last.dir().resolve(PROVENANCE), partial.resolve(PROVENANCE));
        }
      }
      if (Files.exists(target)) {
        dev.provide.ops.PartialFiles.deleteTree(target);
      }
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      return new Checkpoint(target, last.step());
    } finally {
      dev.provide.ops.PartialFiles.deleteTree(partial);
    }
  }
}
