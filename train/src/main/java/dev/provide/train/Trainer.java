package dev.provide.train;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.Provenance;
import dev.provide.graph.Devices;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import dev.provide.graph.TrainingTowers;
import dev.provide.ops.Tensors;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.render.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The training loop: random clip windows, Adam steps, progress on the terminal, TensorBoard
 * events and a metrics CSV, validation, and atomic checkpoints. Stops at the step or time budget,
 * on Ctrl-C (after saving), or on a non-finite loss (keeping the last good checkpoint).
 */
public final class Trainer {
  /**
   * Training settings.
   *
   * @param steps stop after this many optimiser steps in total
   * @param minutes stop when the run has trained this many minutes in all, counting the runs it
   *     resumed (0 = no limit)
   * @param klWarmup linear warm-up of the KL weight from 0 over this many steps (0 = none)
   * @param noiseWarmup linear warm-up of the posterior sampling noise from 0 (decode the mean) to 1
   *     over this many steps (0 = sample from the start)
   * @param keep checkpoints kept
   * @param intraThreads TensorFlow intra-op threads (0 = default)
   * @param interThreads TensorFlow inter-op threads (0 = default)
   * @param xla ask for XLA JIT compilation (a no-op on a CPU unless TF_XLA_FLAGS enables it there, where
   *     it was measured slower; docs/PERFORMANCE.md)
   * @param decay the learning rate's decay at the end of the run ({@link LearningRateDecay#NONE} for none)
   * @param rollout the prediction term ({@link TrainingGraph.Rollout#NONE} for the paper's training)
   * @param precision float32, or bfloat16 mixed precision (where the CPU has it natively)
   * @param devices towers in this process ({@link dev.provide.graph.Towers}): each of this many
   *     devices trains on batchSize / devices rows of the batch (1 = one device)
   */
  public record Options(
      int batchSize,
      int clipFrames,
      long steps,
      double minutes,
      TrainingGraph.Optimization optimization,
      long klWarmup,
      long noiseWarmup,
      int logEvery,
      int validateEvery,
      int checkpointEvery,
      int keep,
      long seed,
      boolean useGpu,
      int intraThreads,
      int interThreads,
      boolean xla,
      LearningRateDecay decay,
      TrainingGraph.Rollout rollout,
      dev.provide.graph.Precision precision,
      int devices) {
    /** Without a prediction term ({@link TrainingGraph.Rollout#NONE}): the paper's training. */
    public Options(int batchSize, int clipFrames, long steps, double minutes, TrainingGraph.Optimization optimization,
        long klWarmup, long noiseWarmup, int logEvery, int validateEvery, int checkpointEvery, int keep, long seed,
        boolean useGpu, int intraThreads, int interThreads, boolean xla, LearningRateDecay decay) {
      this(batchSize, clipFrames, steps, minutes, optimization, klWarmup, noiseWarmup, logEvery, validateEvery,
          checkpointEvery, keep, seed, useGpu, intraThreads, interThreads, xla, decay, TrainingGraph.Rollout.NONE);
    }

    /** In float32. */
    public Options(int batchSize, int clipFrames, long steps, double minutes, TrainingGraph.Optimization optimization,
        long klWarmup, long noiseWarmup, int logEvery, int validateEvery, int checkpointEvery, int keep, long seed,
        boolean useGpu, int intraThreads, int interThreads, boolean xla, LearningRateDecay decay, TrainingGraph.Rollout rollout) {
      this(batchSize, clipFrames, steps, minutes, optimization, klWarmup, noiseWarmup, logEvery, validateEvery,
          checkpointEvery, keep, seed, useGpu, intraThreads, interThreads, xla, decay, rollout, dev.provide.graph.Precision.FLOAT32);
    }

    /** On one device. */
    public Options(int batchSize, int clipFrames, long steps, double minutes, TrainingGraph.Optimization optimization,
        long klWarmup, long noiseWarmup, int logEvery, int validateEvery, int checkpointEvery, int keep, long seed,
        boolean useGpu, int intraThreads, int interThreads, boolean xla, LearningRateDecay decay, TrainingGraph.Rollout rollout,
        dev.provide.graph.Precision precision) {
      this(batchSize, clipFrames, steps, minutes, optimization, klWarmup, noiseWarmup, logEvery, validateEvery,
          checkpointEvery, keep, seed, useGpu, intraThreads, interThreads, xla, decay, rollout, precision, 1);
    }

    /** The same settings on {@code n} devices. */
    public Options withDevices(int n) {
      return new Options(batchSize, clipFrames, steps, minutes, optimization, klWarmup, noiseWarmup, logEvery, validateEvery,
          checkpointEvery, keep, seed, useGpu, intraThreads, interThreads, xla, decay, rollout, precision, n);
    }

    /** Frames of clip each training window takes: the observed ones and the predicted ones. */
    public int windowFrames() {
      return clipFrames + rollout.frames();
    }

    /** Validates. */
    public Options {
      java.util.Objects.requireNonNull(rollout, "rollout");
      java.util.Objects.requireNonNull(precision, "precision");
      if (batchSize < 1 || clipFrames < 1 || steps < 1) {
        throw new IllegalArgumentException("batch size, clip frames and steps must be >= 1");
      }
      if (minutes < 0 || klWarmup < 0 || noiseWarmup < 0 || logEvery < 1 || validateEvery < 1 || checkpointEvery < 1 || keep < 1) {
        throw new IllegalArgumentException("minutes, warm-up >= 0; log, validation, checkpoint intervals and keep >= 1");
      }
      new dev.provide.graph.Towers(devices, org.tensorflow.DeviceSpec.DeviceType.CPU).checkBatch(batchSize);
    }
  }

  /**
   * How a run ended. In a cluster: {@code CLUSTER_STOPPED}, another worker asked every worker to
   * stop (its signal); {@code WORKER_LOST}, a collective failed because a worker is gone.
   */
  public enum Outcome { FINISHED, TIME_LIMIT, INTERRUPTED, NOT_FINITE, CLUSTER_STOPPED, WORKER_LOST }

  /**
   * The result of {@link #run}.
   *
   * @param lastCheckpoint the newest good checkpoint
   */
  public record Result(Outcome outcome, long step, Checkpoints.Checkpoint lastCheckpoint, double seconds, String message) {}

  /** Held-out sequences scored per session run when validating. */
  private static final int VALIDATION_BATCH = 16;

  private final ModelConfig config;
  private final Options options;
  private final Path run;
  /** Opens this process's training batches (all clips in memory, or a stream). */
  private final dev.provide.train.data.TrainingBatches.Opener train;
  private final List<ClipRecord> validation;
  private final Provenance provenance;
  private final PrintStream log;
  /** This process's place in a training cluster, or null when it trains alone. */
  private final dev.provide.train.cluster.ClusterMember cluster;
  /** The foreground ARI of the newest validation (NaN before the first). */
  private double lastValidationFAri = Double.NaN;
  /** A model whose weights a new run starts from ({@link #startingFrom}), or null. */
  private Checkpoints.Checkpoint initialWeights;
  /** Scores every checkpoint's forecast and keeps the best ({@link #keepingBestPrediction}), or null. */
  private PredictionValidation predictionValidation;

  /**
   * Below this validation F-ARI a run that ends is taken to be still on the start plateau, where
   * every slot predicts the average frame and no slot holds an object.
   */
  public static final double PLATEAU_F_ARI = 0.3;

  /**
   * Steps after which runs of the {@code cpu} preset had left the plateau (validation F-ARI above
   * {@link #PLATEAU_F_ARI}), the latest of the seeds measured in docs/RESULTS.md.
   */
  public static final long CPU_PRESET_PLATEAU_STEPS = 1500;

  public Trainer(ModelConfig config, Options options, Path run, List<ClipRecord> train, List<ClipRecord> validation,
      Provenance provenance, PrintStream log) {
    this(config, options, run, train, validation, provenance, log, null);
  }

  /**
   * A trainer that is one worker of a cluster (synchronous data parallelism, docs/MODEL.md section
   * 11): {@code train} is this worker's shard; only the chief writes into {@code run} (checkpoints,
   * events, validation); every worker holds the same weights after every step.
   *
   * @param cluster this process's membership, or null to train alone
   */
  public Trainer(ModelConfig config, Options options, Path run, List<ClipRecord> train, List<ClipRecord> validation,
      Provenance provenance, PrintStream log, dev.provide.train.cluster.ClusterMember cluster) {
    this(config, options, run, seed -> new ClipBatches(train, options.windowFrames(), options.batchSize(), seed), train.get(0),
        validation, provenance, log, cluster);
  }

  /**
   * A trainer whose batches come from {@code train} (for example a {@link dev.provide.train.data.ClipStream}
   * of files too large for memory), opened with this worker's seed ({@link #batchSeed}).
   *
   * @param sample a training clip, to check the frame size against the model's
   */
  public Trainer(ModelConfig config, Options options, Path run, dev.provide.train.data.TrainingBatches.Opener train,
      ClipRecord sample, List<ClipRecord> validation, Provenance provenance, PrintStream log,
      dev.provide.train.cluster.ClusterMember cluster) {
    this.cluster = cluster;
    this.config = config;
    this.options = options;
    this.run = run;
    this.train = train;
    this.validation = validation;
    this.provenance = provenance;
    this.log = log;
    ClipRecord first = sample;
    if (first.height() != config.imageSize() || first.width() != config.imageSize()) {
      throw new IllegalArgumentException(
          "the data has " + first.height() + "x" + first.width() + " frames but the model expects "
              + config.imageSize() + "x" + config.imageSize() + " (use --size or data of that size)");
    }
  }

  /**
   * Makes a run that has no checkpoint yet start from the weights of {@code model} (a checkpoint
   * or a model folder of the same configuration) instead of fresh ones; Adam's state and the step
   * start afresh. A run that resumes from its own checkpoint ignores it.
   *
   * @return this trainer
   */
  public Trainer startingFrom(Checkpoints.Checkpoint model) {
    this.initialWeights = java.util.Objects.requireNonNull(model, "model");
    return this;
  }

  /**
   * Scores every checkpoint the run saves with {@code validation} (its forecast's F-ARI at the
   * horizon, logged as {@code prediction_validation/*}) and keeps the best one as {@code
   * RUN/best-prediction/}. Costs one prediction of the validation clips per checkpoint.
   *
   * @return this trainer
   */
  public Trainer keepingBestPrediction(PredictionValidation validation) {
    this.predictionValidation = java.util.Objects.requireNonNull(validation, "validation");
    return this;
  }

  /** Trains; resumes from the run's newest checkpoint when {@code resume}. */
  public Result run(boolean resume) throws IOException {
    long start = System.nanoTime();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        done.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "save-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    dev.provide.train.data.TrainingBatches batches = null; // closed at the end, with the files it reads
    try (Graph g = new Graph()) {
      log.println("building the training graph (" + config.mode().label() + ", " + options.clipFrames() + " frames, "
          + describeSchedule() + ")...");
      boolean workers = cluster != null && cluster.spec().size() > 1;
      boolean chief = cluster == null || cluster.chief();
      boolean gpu = options.useGpu() && Devices.gpuAvailable();
      dev.provide.graph.Towers towers = towers(gpu);
      boolean replicated = workers || towers.active(); // replicas kept in step by collectives
      TrainingTowers all = TrainingTowers.build(g, config, options.clipFrames(), options.optimization(), options.rollout(),
          workers ? cluster.replication() : dev.provide.graph.Replication.NONE, towers);
      TrainingGraph t = all.first();
      // The latent and state terms' scalars: this graph's own, so logged only when it is the only replica.
      boolean logsTargets = t.predictionLatent != null && !replicated;
      var sessionConfig = Devices.sessionConfig(gpu, options.intraThreads(), options.interThreads(),
          options.precision() == dev.provide.graph.Precision.BFLOAT16, options.xla(), gpu ? 0 : towers.count());
      try (Session s = cluster != null ? cluster.session(g, sessionConfig) : new Session(g, sessionConfig);
          EventWriter events = chief ? new EventWriter(run) : null) {
        long step = 0;
        double previousSeconds = 0;
        Checkpoints.Checkpoint last = resume && chief ? restoreNewestReadable(s, t) : null;
        if (last == null) {
          s.initialize();
          if (initialWeights != null && chief) { // the workers get them from the chief below
            dev.provide.graph.InitialWeights.load(g, s, t.variables, initialWeights);
            log.printf("starting from the weights of %s; Adam's state and the step start afresh%n", initialWeights.dir());
          }
        }
        if (replicated) {
          String failure = synchronize(s, all);
          if (failure != null) {
            return new Result(Outcome.WORKER_LOST, 0, last, (System.nanoTime() - start) / 1e9, failure);
          }
        }
        if (last != null || replicated) { // a worker's step is the chief's
          try (org.tensorflow.Result r = s.runner().fetch(t.step).run()) {
            step = ((TInt64) r.get(0)).getLong();
          }
        }
        if (replicated) {
          if (!chief) {
            log.printf("worker %d of %d: joined the cluster at step %d with the chief's weights%n", cluster.spec().index(),
                cluster.spec().size(), step);
          } else {
            long values = 0;
            for (var v : t.variables) {
              values += v.shape().size();
            }
            log.printf("%s in step; each step averages %,d gradient values (%.1f MB) in one all-reduce%n",
                describeReplicas(towers), values, values * 4 / 1e6);
          }
        }
        if (last != null) {
          previousSeconds = last.provenance().trainingSeconds();
          log.printf("resumed from %s at step %d, after %.1f minutes of training%n", last.dir(), step, previousSeconds / 60);
          if (options.minutes() > 0 && previousSeconds >= options.minutes() * 60) {
            log.printf("the run's budget of %s minutes is already spent: nothing to train (give a larger --minutes to go on)%n",
                options.minutes());
          }
        }
        int worker = cluster == null ? 0 : cluster.spec().index();
        batches = train.open(batchSeed(options.seed(), worker));
        batches.skipTo(step);
        List<ClipBatches.Batch> valBatches = validationBatches(validation, options.clipFrames());
        Outcome outcome = Outcome.FINISHED;
        String message = "";
        long firstStep = step;
        long loopStart = System.nanoTime();
        long barMax = options.minutes() > 0 ? UNKNOWN_LAST_STEP : options.steps();
        Duration barElapsed = Duration.ofMillis(Math.round(previousSeconds * 1000));
        try (ProgressBar bar = chief
            ? Progress.bar("Training", barMax, "steps", 1000, step, barElapsed)
            : Progress.workerLines("Worker " + worker, barMax, "steps", step, barElapsed)) {
          while (step < options.steps()) {
            // In a cluster only the chief keeps the time budget (it knows the resumed minutes), and
            // a worker that wants to stop says so in the step's collective, so that every worker
            // stops after the same step; alone, the run stops before the step.
            Outcome wanted = stop.get() ? Outcome.INTERRUPTED
                : chief && options.minutes() > 0 && trainedSeconds(previousSeconds, start) >= options.minutes() * 60
                    ? Outcome.TIME_LIMIT : null;
            if (wanted != null && !replicated) {
              outcome = wanted;
              break;
            }
            ClipBatches.Batch window = batches.next();
            ClipBatches.Batch b = window.frames(0, options.clipFrames());
            float klWeight = klWeight(step);
            float noise = ramp(step, options.noiseWarmup(), 1.0);
            float lr = (float) (options.optimization().learningRate() * options.decay().factor(budgetSpent(step, previousSeconds, start)));
            ClipBatches.Batch future = t.rollout.active() ? window.frames(options.clipFrames(), t.rollout.frames()) : null;
            float[] values;
            try (dev.provide.ops.HeldTensors feeds = new dev.provide.ops.HeldTensors();
                TInt64 seed = TInt64.vectorOf(options.seed(), step);
                TFloat32 kw = TFloat32.scalarOf(klWeight);
                TFloat32 ns = TFloat32.scalarOf(noise);
                TFloat32 rate = TFloat32.scalarOf(lr);
                TFloat32 stopRequest = TFloat32.scalarOf(wanted != null ? 1f : 0f)) {
              Session.Runner runner = s.runner();
              for (int d = 0; d < towers.count(); d++) { // each tower its rows of the batch, all the same scalars
                TrainingGraph tower = all.all().get(d);
                int[] rows = towers.rows(b.batchSize(), d);
                ClipBatches.Batch mine = b.rows(rows[0], rows[1]);
                runner.feed(tower.video, feeds.hold(Tensors.floats(mine.frames(), mine.frameShape())))
                    .feed(tower.seed, seed).feed(tower.klWeight, kw).feed(tower.noiseScale, ns).feed(tower.learningRate, rate)
                    .addTarget(tower.train);
                if (future != null) {
                  ClipBatches.Batch ahead = future.rows(rows[0], rows[1]);
                  runner.feed(tower.future, feeds.hold(Tensors.floats(ahead.frames(), ahead.frameShape())));
                }
              }
              runner.fetch(t.logged.loss()).fetch(t.logged.nll()).fetch(t.logged.kl()).fetch(t.logged.entropy()).fetch(t.gradientNorm);
              if (future != null) {
                runner.fetch(t.logged.predictionNll()); // values[5]
              }
              if (logsTargets) {
                runner.fetch(t.predictionLatent).fetch(t.predictionState); // values[6], values[7]
              }
              if (replicated) {
                runner.feed(t.stopRequest, stopRequest).fetch(t.stopAll); // the last value
              }
              try (org.tensorflow.Result r = runner.run()) {
                values = new float[r.size()];
                for (int i = 0; i < values.length; i++) {
                  values[i] = ((TFloat32) r.get(i)).getFloat();
                }
              } catch (org.tensorflow.exceptions.TensorFlowException e) {
                if (!workers) {
                  throw e;
                }
                outcome = Outcome.WORKER_LOST;
                message = cluster.describeFailure(e);
                break;
              }
            }
            boolean clusterStops = replicated && values[values.length - 1] > 0;
            if (replicated) {
              values = java.util.Arrays.copyOf(values, values.length - 1);
            }
            if (!allFinite(values)) {
              outcome = Outcome.NOT_FINITE;
              message = String.format("loss became %s at step %d (nll %s, kl %s); stopped. The last good checkpoint is %s. "
                  + "Try a lower --lr or a longer --kl-warmup.", values[0], step, values[1], values[2],
                  last == null ? "none" : last.dir());
              break;
            }
            step++;
            bar.maxHint(expectedLastStep(step, firstStep, loopStart, trainedSeconds(previousSeconds, start)));
            bar.stepTo(step);
            bar.setExtraMessage(String.format(" nll %.1f kl %.1f H %.0f", values[1], values[2], values[3])); // short: 80 columns
            if (chief && (step % options.logEvery() == 0 || step == 1)) {
              Map<String, Double> m = new LinkedHashMap<>();
              m.put("loss", (double) values[0]);
              m.put("nll", (double) values[1]);
              m.put("kl", (double) values[2]);
              m.put("entropy", (double) values[3]);
              m.put("gradient_norm", (double) values[4]);
              if (t.rollout.active()) {
                m.put("prediction_nll", (double) values[5]);
              }
              if (logsTargets) {
                m.put("prediction_latent", (double) values[6]);
                m.put("prediction_state", (double) values[7]);
              }
              m.put("kl_weight", (double) klWeight);
              m.put("learning_rate", (double) lr);
              m.put("noise_scale", (double) noise);
              m.put("seconds", trainedSeconds(previousSeconds, start));
              events.scalars(step, m);
            }
            if (chief && step % options.validateEvery() == 0) {
              validate(s, t, valBatches, step, events);
            }
            if (chief && step % options.checkpointEvery() == 0) {
              last = save(s, step, trainedSeconds(previousSeconds, start));
              validatePrediction(last, events);
            }
            if (clusterStops) {
              outcome = wanted != null ? wanted : Outcome.CLUSTER_STOPPED;
              break;
            }
          }
        }
        if (chief && outcome != Outcome.NOT_FINITE && (last == null || last.step() != step)) {
          // Save first: on Ctrl-C or SIGTERM the JVM is shutting down, and the validation picture
          // (ImageIO) fails then; nothing that a shutdown can break stands before the save.
          try {
            last = save(s, step, trainedSeconds(previousSeconds, start));
          } catch (RuntimeException | IOException e) {
            if (outcome != Outcome.WORKER_LOST) {
              throw e;
            }
            log.printf("%ncould not save after the lost worker (%s); the newest checkpoint is %s%n",
                dev.provide.ops.ErrorMessages.firstLine(e), last == null ? "none" : last.dir());
          }
          if (outcome != Outcome.INTERRUPTED && outcome != Outcome.WORKER_LOST && outcome != Outcome.CLUSTER_STOPPED) {
            validate(s, t, valBatches, step, events);
            validatePrediction(last, events);
          }
        }
        if (replicated && outcome != Outcome.WORKER_LOST) {
          log.printf("%n%sweights fingerprint %s at step %d%s%n", workers ? "worker " + worker + ": " : "",
              weightsFingerprint(s, t), step, towers.active() ? towersAgree(s, all) : "");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if ((outcome == Outcome.FINISHED || outcome == Outcome.TIME_LIMIT) && lastValidationFAri < PLATEAU_F_ARI) {
          message = plateauNote(step, lastValidationFAri);
        }
        if (outcome == Outcome.INTERRUPTED) {
          // Said here, before the shutdown hook is released: once it is, the JVM may halt at once.
          if (chief) {
            log.printf("%nInterrupted; saved %s at step %d (%.1f min). Continue with --resume.%n",
                last == null ? "nothing" : last.dir(), step, seconds / 60);
          } else {
            log.printf("%nworker %d interrupted at step %d; the chief saves the checkpoint.%n", worker, step);
          }
          log.flush();
        }
        return new Result(outcome, step, last, seconds, message);
      }
    } finally {
      if (batches != null) {
        batches.close();
      }
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting (Ctrl-C): the hook is waiting for us, which is fine.
      }
    }
  }

  /**
   * The seed of a worker's batches: different for each worker, so that the shards' windows are
   * drawn independently; worker 0 (and a run alone) keeps the run's seed.
   */
  public static long batchSeed(long seed, int worker) {
    return seed + 7919L * worker;
  }

  /**
   * Runs the graph's synchronisation: every worker takes the chief's variables and compares its
   * settings with the chief's.
   *
   * @return null when done, else why it failed (a worker missing, or other settings)
   */
  private String synchronize(Session s, TrainingTowers towers) {
    long mine = settingsFingerprint();
    long chiefs;
    try (TInt64 settings = TInt64.scalarOf(mine)) {
      Session.Runner runner = s.runner();
      for (TrainingGraph t : towers.all()) {
        runner.feed(t.settings, settings).addTarget(t.synchronize);
      }
      try (org.tensorflow.Result r = runner.fetch(towers.first().chiefSettings).run()) {
        chiefs = ((TInt64) r.get(0)).getLong();
      }
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      if (cluster == null) {
        throw e;
      }
      return "could not start with the other workers: " + cluster.describeFailure(e);
    }
    if (chiefs != mine) {
      return "worker " + cluster.spec().index() + " was started with other training settings than the chief (model "
          + "configuration, batch, frames, steps, learning rate, warm-ups, seed or prediction term): start every "
          + "worker with the same command line";
    }
    return null;
  }

  /**
   * This process's towers: on its GPUs when it trains on a GPU (as many as asked for must be
   * there), else on as many CPU devices.
   */
  private dev.provide.graph.Towers towers(boolean gpu) {
    int n = options.devices();
    if (gpu && n > 1 && !Devices.gpuAvailable(n - 1)) {
      throw new IllegalArgumentException("--devices " + n + " needs " + n + " GPUs, and TensorFlow sees fewer here "
          + "(use --devices with the number of GPUs, or --device cpu for CPU devices)");
    }
    return new dev.provide.graph.Towers(n, gpu ? org.tensorflow.DeviceSpec.DeviceType.GPU : org.tensorflow.DeviceSpec.DeviceType.CPU);
  }

  private String describeReplicas(dev.provide.graph.Towers towers) {
    int w = cluster == null ? 1 : cluster.spec().size();
    String devices = towers.count() + " " + towers.type().name() + " devices";
    return w == 1 ? devices : w + " workers x " + devices;
  }

  /** ", its N towers identical" when every tower's weights print the same, else which differ. */
  private static String towersAgree(Session s, TrainingTowers all) {
    String first = weightsFingerprint(s, all.first());
    for (int d = 1; d < all.all().size(); d++) {
      String other = weightsFingerprint(s, all.all().get(d));
      if (!other.equals(first)) {
        return "; tower " + d + " differs (" + other + ")";
      }
    }
    return ", its " + all.all().size() + " towers identical";
  }

  /** A fingerprint of everything that must be equal on every worker of a cluster. */
  long settingsFingerprint() {
    String all = String.join("|", config.toString(), String.valueOf(options.batchSize()), String.valueOf(options.clipFrames()),
        String.valueOf(options.steps()), options.optimization().toString(), String.valueOf(options.klWarmup()),
        String.valueOf(options.noiseWarmup()), String.valueOf(options.seed()), options.decay().toString(),
        options.rollout().toString(), String.valueOf(options.devices()));
    return com.google.common.hash.Hashing.sha256().hashString(all, java.nio.charset.StandardCharsets.UTF_8).asLong();
  }

  /** SHA-256 of the model's variables' bits, in graph order (the first 16 hex digits): equal weights, equal prints. */
  static String weightsFingerprint(Session s, TrainingGraph t) {
    com.google.common.hash.Hasher h = com.google.common.hash.Hashing.sha256().newHasher();
    for (var v : t.variables) {
      try (org.tensorflow.Result r = s.runner().fetch(v).run()) {
        for (float x : Tensors.toFloats((TFloat32) r.get(0))) {
          h.putInt(Float.floatToRawIntBits(x));
        }
      }
    }
    return h.hash().toString().substring(0, 16);
  }

  /**
   * Restores the newest checkpoint of the run that reads: a damaged one (truncated, bit-flipped,
   * without its provenance) is reported and the one before it tried.
   *
   * @throws IOException when no checkpoint of the run can be read
   */
  private Checkpoints.Checkpoint restoreNewestReadable(Session s, TrainingGraph t) throws IOException {
    List<Checkpoints.Checkpoint> all = Checkpoints.list(run);
    List<String> damaged = new java.util.ArrayList<>();
    boolean noOptimiserState = false;
    for (int i = all.size() - 1; i >= 0; i--) {
      Checkpoints.Checkpoint c = all.get(i);
      try {
        c.provenance();
        c.restoreInto(s);
        if (!damaged.isEmpty()) {
          log.printf("resuming from %s, the newest checkpoint that reads%n", c.dir());
        }
        return c;
      } catch (IOException | RuntimeException e) {
        Throwable root = e.getCause() != null ? e.getCause() : e;
        String why = dev.provide.ops.ErrorMessages.firstLine(root);
        log.printf("checkpoint %s cannot be read (%s); trying an older one%n", c.dir(), why);
        damaged.add(c.dir().toString());
        if (why.contains("optimizer") && why.contains("not found in checkpoint")) {
          noOptimiserState = true;
        }
      }
    }
    throw new IOException(all.isEmpty()
        ? run + " has no checkpoint to resume from"
        : "no checkpoint of " + run + " can be read: " + String.join(", ", damaged)
            + (noOptimiserState ? " (a model folder holds no optimiser state: start a new run from it with --init-from)" : ""));
  }

  private String describeSchedule() {
    StringBuilder b = new StringBuilder("steps");
    for (int f = 0; f < options.clipFrames(); f++) {
      b.append(f == 0 ? " " : ", ").append(config.stepsForFrame(f));
    }
    return b.toString();
  }

  private float klWeight(long step) {
    return ramp(step, options.klWarmup(), config.loss().kl());
  }

  /** {@link #expectedLastStep} before a budgeted run has a speed: the bar shows no total yet. */
  static final long UNKNOWN_LAST_STEP = -1;

  /**
   * The step this run is expected to stop at, for the progress bar's percentage and ETA: the step
   * limit, or an earlier step when the minutes budget runs out first at the speed seen so far.
   */
  private long expectedLastStep(long step, long firstStep, long loopStart, double trainedSeconds) {
    double loopSeconds = (System.nanoTime() - loopStart) / 1e9;
    return expectedLastStep(step, firstStep, loopSeconds, trainedSeconds, options.minutes(), options.steps());
  }

  /**
   * The step a run stops at when it keeps the speed of its {@code step - firstStep} steps in
   * {@code loopSeconds}, with {@code runSeconds} of its {@code minutes} budget spent (0 = no
   * budget), never past {@code maxSteps}; {@link #UNKNOWN_LAST_STEP} under a budget before this
   * process has made a step.
   */
  static long expectedLastStep(long step, long firstStep, double loopSeconds, double runSeconds, double minutes, long maxSteps) {
    if (minutes <= 0) {
      return maxSteps;
    }
    if (step <= firstStep || loopSeconds <= 0) {
      return UNKNOWN_LAST_STEP;
    }
    double stepsPerSecond = (step - firstStep) / loopSeconds;
    double secondsLeft = Math.max(0, minutes * 60 - runSeconds);
    return Math.min(maxSteps, step + (long) (secondsLeft * stepsPerSecond));
  }

  /**
   * The fraction of this run's budget spent: of its minutes when it has a time limit, else of its
   * step limit.
   */
  private double budgetSpent(long step, double previousSeconds, long start) {
    if (options.minutes() > 0) {
      return trainedSeconds(previousSeconds, start) / 60 / options.minutes();
    }
    return (double) step / options.steps();
  }

  /** Seconds trained in all: the resumed runs' and this one's since {@code start}. */
  private static double trainedSeconds(double previousSeconds, long start) {
    return previousSeconds + (System.nanoTime() - start) / 1e9;
  }

  /** A linear ramp from 0 to {@code full} over {@code steps} steps (none when steps is 0). */
  private static float ramp(long step, long steps, double full) {
    if (steps == 0 || step >= steps) {
      return (float) full;
    }
    return (float) (full * step / steps);
  }

  private static boolean allFinite(float[] v) {
    for (float x : v) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** All held-out sequences, in batches of at most {@value #VALIDATION_BATCH}. */
  static List<ClipBatches.Batch> validationBatches(List<ClipRecord> validation, int frames) {
    List<ClipBatches.Batch> out = new java.util.ArrayList<>();
    for (int from = 0; from < validation.size(); from += VALIDATION_BATCH) {
      int n = Math.min(VALIDATION_BATCH, validation.size() - from);
      out.add(ClipBatches.sequences(validation, from, n, frames));
    }
    return out;
  }

  /** Scores every validation batch; the picture shows the first batch's first clip. */
  private void validate(Session s, TrainingGraph t, List<ClipBatches.Batch> batches, long step, EventWriter events) {
    if (batches.isEmpty()) {
      return;
    }
    ClipScores scores = new ClipScores();
    BufferedImage picture = null;
    for (ClipBatches.Batch b : batches) {
      try (TFloat32 video = Tensors.floats(b.frames(), b.frameShape());
          TInt64 seed = TInt64.vectorOf(options.seed() + 17, 0);
          org.tensorflow.Result r = s.runner().feed(t.video, video).feed(t.seed, seed)
              .fetch(t.masks).fetch(t.reconstruction).fetch(t.means).run()) {
        float[] masks = Tensors.toFloats((TFloat32) r.get(0));
        float[] recon = Tensors.toFloats((TFloat32) r.get(1));
        int k = config.slots(), p = b.height() * b.width();
        scores.add(masks, recon, b.frames(), b.ids(), b.batchSize(), b.numFrames(), k, p);
        if (picture == null) {
          picture = picture(b, masks, recon, Tensors.toFloats((TFloat32) r.get(2)));
        }
      }
    }
    lastValidationFAri = scores.foregroundAri();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("validation/ari", scores.ari());
    m.put("validation/f_ari", scores.foregroundAri());
    m.put("validation/mse", scores.mse());
    events.scalars(step, m);
    events.image(step, "validation/decomposition", picture);
    log.printf("%nstep %d: validation ARI %s, F-ARI %s, MSE %.5f on %d sequences%n", step, ClipScores.format(scores.ari()),
        ClipScores.format(scores.foregroundAri()), scores.mse(), validation.size());
  }

  /** Scores {@code checkpoint}'s forecast (with prediction validation on), logs it and keeps it if it is the best so far. */
  private void validatePrediction(Checkpoints.Checkpoint checkpoint, EventWriter events) throws IOException {
    if (predictionValidation == null) {
      return;
    }
    PredictionValidation.Score score = predictionValidation.score(checkpoint);
    boolean best = predictionValidation.keepIfBest(run, checkpoint, score);
    int h = predictionValidation.horizon();
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("prediction_validation/f_ari", score.fAri());
    m.put("prediction_validation/ari", score.ari());
    m.put("prediction_validation/mse", score.mse());
    events.scalars(checkpoint.step(), m);
    PredictionValidation.Score kept = PredictionValidation.best(run).orElse(score);
    log.printf("%nstep %d: prediction validation F-ARI %s at horizon %d, MSE %.5f (%s)%n", checkpoint.step(),
        ClipScores.format(score.fAri()), h, score.mse(), best
            ? "the best so far: kept as " + run.resolve(PredictionValidation.FOLDER)
            : "the best is " + ClipScores.format(kept.fAri()) + " at step " + kept.step());
  }

  /**
   * What to tell the user of a run that ended with validation F-ARI {@code fAri} at {@code step}:
   * the model has most likely not left the start plateau yet, and how long that takes.
   */
  public static String plateauNote(long step, double fAri) {
    return String.format(
        "validation F-ARI is %.2f after %d steps: the model has most likely not left the start plateau yet (every slot "
            + "predicts the average frame, no slot holds an object). Runs of the cpu preset left it after at most "
            + "about %,d steps (docs/RESULTS.md; a few minutes on two cores); other configurations may need more. "
            + "Train on with --resume and a larger --minutes or --steps.",
        fAri, step, CPU_PRESET_PLATEAU_STEPS);
  }

  /** Input, reconstruction, segmentation and each slot's masked appearance for the first clip. */
  private BufferedImage picture(ClipBatches.Batch b, float[] masks, float[] recon, float[] means) {
    int k = config.slots(), h = b.height(), w = b.width(), p = h * w, n = b.numFrames();
    BufferedImage[][] cells = new BufferedImage[3 + k][n];
    for (int f = 0; f < n; f++) {
      cells[0][f] = Images.rgb(b.frames(), f * p * 3, h, w);
      cells[1][f] = Images.rgb(recon, f * p * 3, h, w);
      float[] fm = java.util.Arrays.copyOfRange(masks, f * k * p, (f + 1) * k * p);
      int[] seg = dev.provide.train.metrics.Ari.argmaxSlots(fm, k);
      for (int i = 0; i < seg.length; i++) {
        seg[i] += 1;
      }
      cells[2][f] = Images.ids(seg, 0, h, w);
      for (int slot = 0; slot < k; slot++) {
        float[] masked = new float[p * 3];
        for (int q = 0; q < p; q++) {
          float m = fm[slot * p + q];
          for (int c = 0; c < 3; c++) {
            masked[q * 3 + c] = m * means[((f * k + slot) * p + q) * 3 + c];
          }
        }
        cells[3 + slot][f] = Images.rgb(masked, 0, h, w);
      }
    }
    return Images.grid(cells, 2, 2);
  }

  private Checkpoints.Checkpoint save(Session s, long step, double seconds) throws IOException {
    return Checkpoints.save(s, run, step, config, provenance.at(step, seconds), options.keep());
  }
}
