package dev.provide.graph;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a trained model came from, saved beside every checkpoint as {@code provenance.json}.
 *
 * @param data the training data file
 * @param validation the validation data file (or a description of the held-out part)
 * @param seed the training seed
 * @param step optimiser steps taken
 * @param trainingSeconds wall-clock seconds of training, over all resumed runs
 * @param commit the git commit of the code that trained it ("unknown" outside a checkout)
 * @param tensorflow the TensorFlow runtime version
 * @param batchSize windows per batch
 * @param clipFrames frames per training window
 * @param learningRate Adam's step size
 * @param klWarmupSteps steps of the linear KL warm-up
 * @param savedAt when this checkpoint was written (ISO-8601)
 * @param flags the {@code provide train} flags in force when it was written, as arguments (empty
 *     when unknown: checkpoints from before this field, or models trained from code)
 * @param averagedFrom the checkpoints whose weights this model's are the mean of ({@link
 *     WeightAverage}; empty for the weights of one checkpoint, as a training run writes them)
 */
public record Provenance(
    String data,
    String validation,
    long seed,
    long step,
    double trainingSeconds,
    String commit,
    String tensorflow,
    int batchSize,
    int clipFrames,
    double learningRate,
    long klWarmupSteps,
    String savedAt,
    List<String> flags,
    List<String> averagedFrom) {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /** Normalises a missing flag or source list (older files) to an empty one. */
  public Provenance {
    flags = flags == null ? List.of() : List.copyOf(flags);
    averagedFrom = averagedFrom == null ? List.of() : List.copyOf(averagedFrom);
  }

  /** The provenance of one run's checkpoint (no averaging). */
  public Provenance(String data, String validation, long seed, long step, double trainingSeconds, String commit,
      String tensorflow, int batchSize, int clipFrames, double learningRate, long klWarmupSteps, String savedAt,
      List<String> flags) {
    this(data, validation, seed, step, trainingSeconds, commit, tensorflow, batchSize, clipFrames, learningRate,
        klWarmupSteps, savedAt, flags, List.of());
  }

  /** A copy at another step and training time, stamped now. */
  public Provenance at(long newStep, double seconds) {
    return new Provenance(data, validation, seed, newStep, seconds, commit, tensorflow, batchSize, clipFrames,
        learningRate, klWarmupSteps, Instant.now().toString(), flags, averagedFrom);
  }

  /** A copy naming {@code sources} as the checkpoints averaged into this model, stamped now. */
  public Provenance averagedOver(List<String> sources) {
    return new Provenance(data, validation, seed, step, trainingSeconds, commit, tensorflow, batchSize, clipFrames,
        learningRate, klWarmupSteps, Instant.now().toString(), flags, sources);
  }

  /** Writes as JSON. */
  public void write(Path file) throws IOException {
    dev.provide.ops.PartialFiles.writeString(file, GSON.toJson(this));
  }

  /** Reads JSON. */
  public static Provenance read(Path file) throws IOException {
    return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Provenance.class);
  }

  /**
   * The commit of the checkout this code runs from, or "unknown": the folder the {@code provide}
   * launcher names in the system property {@code provide.home}, else the working directory (so a
   * run started from another folder still records the code's commit, not that folder's).
   */
  public static String gitCommit() {
    return gitCommit(Path.of(System.getProperty("provide.home", ".")));
  }

  /** The short commit of the git checkout at {@code checkout}, with "-dirty" for uncommitted changes to tracked files, or "unknown". */
  static String gitCommit(Path checkout) {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(checkout.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
        Process dirty = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").directory(checkout.toFile()).start();
        String d = new String(dirty.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        dirty.waitFor(5, TimeUnit.SECONDS);
        return d.isEmpty() ? out : out + "-dirty";
      }
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    return "unknown";
  }
}
