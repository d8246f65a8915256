package dev.provide.train.cli;

import dev.provide.graph.ConfigJson;
import dev.provide.graph.Devices;
import dev.provide.graph.Mode;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.TrainingGraph;
import dev.provide.graph.Checkpoints;
import dev.provide.graph.Precision;
import dev.provide.graph.Provenance;
import dev.provide.train.LearningRateDecay;
import dev.provide.train.PredictionValidation;
import dev.provide.train.Trainer;
import dev.provide.train.cluster.ClusterMember;
import dev.provide.train.cluster.ClusterSpec;
import dev.provide.train.cluster.LocalCluster;
import dev.provide.train.data.ClipBatches;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipStream;
import dev.provide.train.data.TrainingBatches;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code provide train}: train a model on a clip file. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the model (or a baseline) on a TFRecord clip file.",
      "Progress goes to the terminal; TensorBoard events, metrics.csv and checkpoints to the run folder.",
      "Ctrl-C saves a checkpoint before exiting; --resume continues from the newest one, with the flags the run was",
      "started with (kept in RUN/train-flags.json) except those given again.",
      "",
      "Several workers train one model in sync (data parallel): start the same command on every worker with TF_CONFIG",
      "(or --workers and --task-index) describing the cluster; worker 0 is the chief and writes the run folder.",
      "--local-workers N tries it on this machine. README, section \"Training on several machines\"."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--data",
      description = "Training clip file, or several as a pattern in quotes ('dir/train-*.tfrecord', streamed) (required; on "
          + "--resume, the run's own by default).")
  Path data;

  @Option(names = "--val", description = "Validation clip file (default: the last --val-count sequences of --data, held out).")
  Path val;

  @Option(names = "--val-count", defaultValue = "16", description = "Held-out validation sequences. Default: ${DEFAULT-VALUE}.")
  int valCount;

  @Option(names = "--limit", defaultValue = "2000",
      description = "Read at most this many training sequences into memory (a stream uses them all). Default: ${DEFAULT-VALUE}.")
  long limit;

  @Option(names = "--run", description = "Run folder (default: runs/<preset>-<mode>-<time>).")
  Path run;

  @Option(names = "--resume",
      description = "Continue the run folder's newest checkpoint: its configuration, optimiser state and training flags (flags given again win).")
  boolean resume;

  @Option(names = "--overwrite",
      description = "Start a new run in a --run folder that already holds one, deleting its checkpoints, configuration, flags and logs.")
  boolean overwrite;

  @Option(names = "--init-from", paramLabel = "MODEL",
      description = "Start a new run from the weights of a trained model (a run, checkpoint or model folder such as "
          + "testdata/model) and its configuration, instead of fresh weights; Adam's state, the step and the minutes start "
          + "afresh. To fine-tune a shipped model, or go on from a model folder (which holds no optimiser state, so "
          + "--resume cannot continue it). The KL warm-up is then 0 unless --kl-warmup is given.")
  Path initFrom;

  @Option(names = "--preset", defaultValue = "cpu", description = "Model sizes: cpu or paper. Default: ${DEFAULT-VALUE}.")
  String preset;

  @Option(names = "--config", description = "A model configuration JSON file (instead of --preset).")
  Path configFile;

  @Option(names = "--mode", defaultValue = "provide", description = "provide, iodine or seq-iodine. Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(names = "--slots", description = "K, slots per frame (default: the preset's).")
  Integer slots;

  @Option(names = "--batch", defaultValue = "4", description = "Clip windows per step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(names = "--frames", defaultValue = "4", description = "Frames per training window. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--predict-frames", defaultValue = "0",
      description = "A prediction term in training: after the --frames observed frames of each window, roll the model "
          + "this many frames into the future and score each predicted frame against the true one (docs/MODEL.md "
          + "section 6b). 0 = the paper's training, which never scores the rollout. Default: ${DEFAULT-VALUE}.")
  int predictFrames;

  @Option(names = "--predict-weight", defaultValue = "1",
      description = "Weight of each predicted frame's NLL, relative to an observed frame's last refinement step. "
          + "Default: ${DEFAULT-VALUE}.")
  double predictWeight;

  @Option(names = "--predict-latent-weight", defaultValue = "0", paramLabel = "W",
      description = "With --predict-frames: a latent prediction term (docs/MODEL.md section 6e). Each true future frame is "
          + "also inferred as an observed frame, and the KL of its posterior from the rollout's prior at that frame (or the "
          + "--predict-latent-score), times W and the KL weight, joins the loss, so the rollout's latents are asked to land where the true frame's are. "
          + "Costs the future frames' refinement steps (forward only). 0 = none. Default: ${DEFAULT-VALUE}.")
  double predictLatentWeight;

  @Option(names = "--predict-latent-score", defaultValue = "kl", paramLabel = "kl|laplace",
      description = "How --predict-latent-weight scores the true frame's latents against the rollout's prior: kl (its best "
          + "forecast is the mean of the possible futures' latents) or laplace (the Laplace NLL of the posterior mean with "
          + "the prior's variance, whose best forecast is each latent's median: it commits to the likelier future). "
          + "Default: ${DEFAULT-VALUE}.")
  String predictLatentScore;

  @Option(names = "--predict-state-weight", defaultValue = "0", paramLabel = "W",
      description = "With --predict-frames: a state term (docs/MODEL.md section 6e). Each true future frame is also inferred "
          + "as an observed frame, and W times the squared distance of the rollout's temporal state after each predicted "
          + "frame from the state that inference leaves joins the loss, so the rollout's state is asked to move as an "
          + "observed frame's does. 0 = none. Default: ${DEFAULT-VALUE}.")
  double predictStateWeight;

  @Option(names = "--predict-observe-draws", defaultValue = "1", paramLabel = "N",
      description = "With --predict-frames: start each window's rollout from the temporal state averaged over N inferences "
          + "of its observed frames (docs/MODEL.md section 6g), the window's own and N - 1 more that share its first 3 frames "
          + "(all but the last in a shorter window) and draw their own noise after, as `provide predict --observe-draws N` does; the rollout then learns to "
          + "forecast from such averages. The extra inferences run forward only. 1 = the window's own inference. "
          + "Default: ${DEFAULT-VALUE}.")
  int predictObserveDraws;

  @Option(names = "--predict-val", paramLabel = "FILE",
      description = "Prediction validation: after every checkpoint, observe --predict-val-observe frames of the first "
          + "--predict-val-count labelled sequences of FILE, predict --predict-val-horizon more as `provide predict` does, "
          + "log the F-ARI, ARI and MSE of that horizon (prediction_validation/* in metrics.csv and TensorBoard), and keep "
          + "the checkpoint with the highest F-ARI as RUN/best-prediction/, a model folder that old checkpoints' pruning "
          + "does not touch (its scores in prediction-validation.json). The sequences need observe + horizon frames "
          + "(data generate --frames 20). Each checkpoint then costs one prediction of them, counted in --minutes.")
  Path predictVal;

  @Option(names = "--predict-val-count", paramLabel = "N", description = "With --predict-val: sequences scored. Default: 100.")
  Integer predictValCount;

  @Option(names = "--predict-val-observe", paramLabel = "N", description = "With --predict-val: observed frames. Default: 10.")
  Integer predictValObserve;

  @Option(names = "--predict-val-horizon", paramLabel = "H",
      description = "With --predict-val: the predicted frame scored, H frames after the observed ones. Default: 5.")
  Integer predictValHorizon;

  @Option(names = "--predict-val-draws", paramLabel = "N",
      description = "With --predict-val: roll out from the state averaged over N inferences of the observed frames, as "
          + "`provide predict --observe-draws N` (docs/MODEL.md section 6f). Default: 1.")
  Integer predictValDraws;

  @Option(names = "--predict-feedback-gradient",
      description = "With --predict-frames: let the gradient of later predicted frames flow through each predicted frame "
          + "that the rollout feeds back as the next observation (by default it is a constant, as in the paper's rollout).")
  boolean predictFeedbackGradient;

  @Option(names = "--predict-state-gradient", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "With --predict-frames: let the NLL of later predicted frames reach the weights that made their state from "
          + "the frame predicted before (the rollout's state transitions). --no-predict-state-gradient keeps each predicted "
          + "frame's state a constant after its transition, so the term trains the forecast from a state and the observed "
          + "frames alone train the transition. Default: on.")
  boolean predictStateGradient;

  @Option(names = "--rollout-passes", paramLabel = "N",
      description = "Refinement passes of each predicted frame in the paper's rollout: its 2D-LSTM is stepped N times on the "
          + "predicted frame, as an observed frame's is stepped once per refinement step (docs/MODEL.md section 6d); saved in "
          + "the model's configuration, so `provide predict` rolls out the same way. Default: the --init-from model's, else 1 "
          + "(the paper's).")
  Integer rolloutPasses;

  @Option(names = "--rollout-inference", negatable = true,
      description = "Roll the model forward by inferring each predicted frame as an observed one, with an observed "
          + "frame's refinement steps and gradients (docs/MODEL.md section 6c), in the prediction term and, since the "
          + "choice is saved in the model's configuration, in `provide predict`; --no-rollout-inference: the paper's "
          + "rollout (one refinement pass, section 6). Default: the --init-from model's choice, else the paper's.")
  Boolean rolloutInference;

  @Option(names = "--steps", defaultValue = "100000", description = "Stop after this many steps in total. Default: ${DEFAULT-VALUE}.")
  long steps;

  @Option(names = "--minutes", defaultValue = "0",
      description = "Stop when the run has trained this many minutes in all, resumed parts included (0 = no limit).")
  double minutes;

  @Option(names = "--lr", defaultValue = "5e-4", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--lr-decay-from", defaultValue = "1",
      description = "Start a linear learning-rate decay when this fraction of the run's budget (--minutes, else --steps) is spent; "
          + "0 = from the first step, 1 = no decay. Default: ${DEFAULT-VALUE}.")
  double lrDecayFrom;

  @Option(names = "--lr-final", defaultValue = "0.1",
      description = "With --lr-decay-from: the rate at the end as a fraction of --lr. Default: ${DEFAULT-VALUE}.")
  double lrFinal;

  @Option(names = "--clip", defaultValue = "5", description = "Clip gradients to this global norm (0 = off). Default: ${DEFAULT-VALUE}.")
  double clip;

  @Option(names = "--kl-weight", description = "psi, the KL weight (default: the preset's).")
  Double klWeight;

  @Option(names = "--kl-warmup", defaultValue = "3000",
      description = "Ramp the KL weight linearly from 0 over this many steps (0 = full weight from the start). Default: ${DEFAULT-VALUE}.")
  long klWarmup;

  @Option(names = "--noise-warmup", defaultValue = "0",
      description = "Ramp the posterior sampling noise linearly from 0 (decode the mean) to 1 over this many steps.")
  long noiseWarmup;

  @Option(names = "--entropy-weight", description = "gamma, the entropy prior (default: the preset's for greyscale data, 0 for colour).")
  Double entropyWeight;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights, the batches and the noise. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--log-every", defaultValue = "10", description = "Log scalars every N steps. Default: ${DEFAULT-VALUE}.")
  int logEvery;

  @Option(names = "--validate-every", defaultValue = "250", description = "Validate every N steps. Default: ${DEFAULT-VALUE}.")
  int validateEvery;

  @Option(names = "--checkpoint-every", defaultValue = "250", description = "Checkpoint every N steps. Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(names = "--keep", defaultValue = "3", description = "Checkpoints kept. Default: ${DEFAULT-VALUE}.")
  int keep;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (gpu needs the gpu build and a GPU). Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(names = "--threads", defaultValue = "0", description = "TensorFlow intra-op threads (0 = all cores).")
  int threads;

  @Option(names = "--inter-threads", defaultValue = "0", description = "TensorFlow inter-op threads (0 = default).")
  int interThreads;

  @Option(names = "--xla", arity = "0..1", fallbackValue = "true",
      description = "Ask TensorFlow to compile clusters of ops with XLA (session JIT): true or false (--xla alone = "
          + "true). On a CPU TensorFlow 2.18 ignores the request unless TF_XLA_FLAGS=--tf_xla_cpu_global_jit is set, and "
          + "with that flag a cpu-preset step was measured 2-2.7x slower (docs/PERFORMANCE.md); meant for a GPU. "
          + "Default: false.")
  Boolean xla;

  @Option(names = "--shuffle-buffer",
      description = "Stream the training data through a shuffle buffer of this many sequences instead of reading it into "
          + "memory (memory then stays the same for any amount of data). Streaming is also chosen for several files "
          + "(--data 'dir/train-*.tfrecord') and for a file larger than a quarter of the heap. Default when streaming: "
          + DEFAULT_SHUFFLE_BUFFER + ".")
  Integer shuffleBuffer;

  @Option(names = "--local-workers",
      description = "Train with N worker processes on this machine (loopback), each on its own shard of the data, "
          + "with gradients averaged across them every step; each worker gets cores/N threads unless --threads is given.")
  Integer localWorkers;

  @Option(names = "--workers", split = ",", paramLabel = "HOST:PORT",
      description = "Every worker's address, the chief first, comma-separated (instead of the TF_CONFIG environment variable).")
  List<String> workers;

  @Option(names = "--task-index", description = "With --workers: this worker's index in the list (0 = the chief).")
  Integer taskIndex;

  @Option(names = "--collective-timeout", defaultValue = "300",
      description = "In a cluster: seconds a worker waits for the others (at the start and in every step) before it "
          + "stops with an error naming the worker that does not answer. Default: ${DEFAULT-VALUE}.")
  float collectiveTimeout;

  @Option(names = "--worker-threads", hidden = true, defaultValue = "0",
      description = "Set by --local-workers: intra-op threads of one worker when --threads is not given.")
  int workerThreads;

  @Option(names = "--devices", defaultValue = "1",
      description = "Train on this many devices of this process at once (towers): each trains on --batch / N sequences "
          + "of the batch and the gradients are averaged every step, so the result equals one device on the whole batch. "
          + "GPUs when training on a GPU (as many must be there), else CPU devices that share --threads (for trying it "
          + "out; no faster on a CPU). Combines with workers: N devices x M workers. Default: ${DEFAULT-VALUE}.")
  int devices;

  @Option(names = "--precision", defaultValue = "float32",
      description = "float32, or bfloat16 mixed precision (oneDNN rewrites eligible ops; refused on a CPU without native "
          + "bfloat16, AVX512_BF16 or AMX, where it is emulated about 4.6x slower). docs/PERFORMANCE.md measures which "
          + "preset gains. Default: ${DEFAULT-VALUE}.")
  String precision;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (predictVal != null && localWorkers != null) {
      throw new IllegalArgumentException(PREDICT_VAL_ALONE);
    }
    if (localWorkers != null) {
      return launchLocalWorkers();
    }
    ClusterSpec cluster = clusterSpec();
    if (predictVal != null && cluster != null) {
      throw new IllegalArgumentException(PREDICT_VAL_ALONE);
    }
    boolean chief = cluster == null || cluster.chief();
    // Everything is checked before anything is written: a rejected command leaves the run folder
    // as it was. Only the chief of a cluster writes.
    Path runDir = run;
    ModelConfig resumedConfig = null;
    Map<String, List<String>> flags = RunFlags.given(spec.commandLine().getParseResult());
    if (resume) {
      if (runDir == null) {
        throw new IllegalArgumentException("--resume needs --run RUN");
      }
      if (overwrite) {
        throw new IllegalArgumentException("--resume continues a run and --overwrite starts it over: give one of them");
      }
      if (!chief && !Files.isDirectory(runDir)) {
        System.err.println("worker " + cluster.index() + ": " + runDir + " is not on this machine; resuming with the "
            + "flags given, and the chief's weights and step");
      } else {
        resumedConfig = newestReadableConfig(runDir);
      }
      if (resumedConfig != null && Files.isRegularFile(runDir.resolve(RunFlags.FILE))) {
        List<String> restored = new ArrayList<>();
        flags = RunFlags.restore(runDir, spec, flags, TrainCommand::new, restored);
        if (!restored.isEmpty()) {
          System.err.println("resuming with the run's saved flags: " + String.join(" ", restored));
        }
      } else if (resumedConfig != null) {
        System.err.println("note: " + runDir + " has no " + RunFlags.FILE + " (it predates them): training with the flags given now");
      }
    } else if (chief && runDir != null && RunFolder.holdsRun(runDir) && !overwrite) {
      throw new IllegalArgumentException(runDir + " already holds a training run: continue it with --resume, "
          + "or start it over with --overwrite (which deletes its checkpoints)");
    }
    Checkpoints.Checkpoint initialWeights = null;
    if (initFrom != null && resumedConfig == null) {
      initialWeights = initialWeights();
      ModelConfig own = initialWeights.config();
      resumedConfig = withLossWeights(own, own.loss().entropy());
      if (!spec.commandLine().getParseResult().hasMatchedOption("--kl-warmup")) {
        klWarmup = 0; // the warm-up helps fresh weights off the start plateau; trained ones are past it
      }
    }
    boolean gpu = parseDevice(device);
    if (data == null) {
      throw new IllegalArgumentException("--data FILE is required (on --resume it comes from the run's " + RunFlags.FILE + " when there is one)");
    }
    if (valCount < 1) {
      throw new IllegalArgumentException("--val-count must be >= 1, got " + valCount);
    }
    requirePredictFrames(predictFeedbackGradient, "--predict-feedback-gradient changes the prediction term");
    if (latentScore(predictLatentScore) != TrainingGraph.LatentScore.KL && predictLatentWeight == 0) {
      throw new IllegalArgumentException("--predict-latent-score scores the latent prediction term: give --predict-latent-weight W too");
    }
    requirePredictFrames(predictStateWeight != 0, "--predict-state-weight adds a state term");
    requirePredictFrames(predictLatentWeight != 0, "--predict-latent-weight adds a latent prediction term");
    requirePredictFrames(!predictStateGradient, "--no-predict-state-gradient changes the prediction term");
    if (predictObserveDraws < 1) {
      throw new IllegalArgumentException("--predict-observe-draws must be >= 1, got " + predictObserveDraws);
    }
    requirePredictFrames(predictObserveDraws != 1, "--predict-observe-draws changes where the rollout starts");
    if (limit < 1) {
      throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
    }
    requirePredictionValidationFile();
    if (configFile != null && !resume) {
      try { // a missing or bad --config fails before the data is read
        ConfigJson.read(configFile);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException("--config " + configFile + ": no such file");
      }
    }
    if (!(collectiveTimeout > 0) || Float.isInfinite(collectiveTimeout)) {
      throw new IllegalArgumentException("--collective-timeout must be a positive number of seconds, got " + collectiveTimeout);
    }
    int intraThreads = threads == 0 && workerThreads > 0 ? workerThreads : threads;
    Trainer.Options options =
        new Trainer.Options(batch, frames, steps, minutes, new TrainingGraph.Optimization(lr, clip), klWarmup, noiseWarmup,
            logEvery, validateEvery, checkpointEvery, keep, seed, gpu, intraThreads, interThreads, xla != null && xla,
            new LearningRateDecay(lrDecayFrom, lrFinal), new TrainingGraph.Rollout(predictFrames, predictWeight, predictFeedbackGradient, predictStateGradient, predictLatentWeight,
                latentScore(predictLatentScore), predictStateWeight, predictObserveDraws),
            Precision.parse(precision), devices);
    options.precision().require(gpu);
    List<Path> files = ClipStream.expand(data);
    TrainingData d = stream(files) ? streamed(files, options, cluster) : inMemory(cluster);
    requireFrames(d.validation(), d.valName());
    ModelConfig config = resumedConfig != null ? resumedConfig : buildConfig(d.sample());
    requireMemory(config);
    if (bfloat16WouldPay(gpu, options.precision(), config.imageSize(), Precision.cpuHasNativeBfloat16())) {
      System.err.println("note: this CPU computes bfloat16 natively; at " + config.imageSize() + " x " + config.imageSize()
          + " --precision bfloat16 trains faster (the paper preset's step 1.3-2.2x in docs/PERFORMANCE.md)");
    }
    if (runDir == null) {
      runDir = defaultRunName(config.mode().label());
    }
    Provenance provenance =
        new Provenance(data.toString(), d.valName(), seed, 0, 0, Provenance.gitCommit(),
            org.tensorflow.TensorFlow.version(), batch, frames, lr, klWarmup, "", RunFlags.asArgs(flags));
    ClusterMember member = cluster == null ? null : ClusterMember.start(cluster, collectiveTimeout, intraThreads, interThreads,
        gpu ? 1 : devices);
    int size = config.imageSize();
    TrainingBatches.Opener opener = d.sources() == null
        ? batchSeed -> new ClipBatches(d.clips(), options.windowFrames(), options.batchSize(), batchSeed)
        : batchSeed -> new ClipStream(d.sources(), d.trainCount(), cluster == null ? 0 : cluster.index(),
            cluster == null ? 1 : cluster.size(), options.windowFrames(), options.batchSize(), shuffleBuffer(), batchSeed, size);
    Trainer trainer = new Trainer(config, options, runDir, opener, d.sample(), d.validation(), provenance, System.out, member);
    if (initialWeights != null) {
      trainer.startingFrom(initialWeights);
    }
    if (predictVal != null && chief) {
      trainer.keepingBestPrediction(predictionValidation(config.imageSize(), intraThreads));
    }
    if (!chief) {
      System.err.printf("worker %d of %d: training on %s; the chief writes %s%n", cluster.index(), cluster.size(), d.describe(), runDir);
      return finish(trainer.run(resume), false);
    }

    if (overwrite) {
      int n = RunFolder.clear(runDir);
      if (n > 0) {
        System.err.println("--overwrite: deleted the earlier run's " + n + " files and folders in " + runDir);
      }
    }
    Files.createDirectories(runDir);
    int leftovers = Checkpoints.removeLeftovers(runDir);
    if (leftovers > 0) {
      System.err.println("removed " + leftovers + " unfinished checkpoint folder(s) that an interrupted save left in " + runDir);
    }
    ConfigJson.write(config, runDir.resolve("config.json"));
    // A new run saves its defaults too, so that a later change of a default does not change it on --resume.
    RunFlags.save(runDir, resume ? flags : RunFlags.withDefaults(spec, flags));
    System.err.printf("training %s (%s, K %d, %dx%d) on %s, validating on %d; run folder %s%n",
        config.mode().label(), initialWeights != null ? "from " + initFrom : preset + " preset", config.slots(),
        config.imageSize(), config.imageSize(), d.describe(), d.validation().size(), runDir);
    return finish(trainer.run(resume), true);
  }

  /**
   * Why --predict-val trains alone: the chief's scoring of a checkpoint (tens of seconds) would hold
   * the other workers in the next step's collective past its timeout.
   */
  private static final String PREDICT_VAL_ALONE = "--predict-val scores checkpoints in a process that trains alone, not with "
      + "--workers or --local-workers (the others would wait past the collective timeout): score a cluster's checkpoints "
      + "afterwards with provide predict";

  /** Refuses the --predict-val-* options without --predict-val, and counts below 1. */
  private void requirePredictionValidationFile() {
    if (predictVal == null) {
      for (Object given : new Object[] {predictValCount, predictValObserve, predictValHorizon, predictValDraws}) {
        if (given != null) {
          throw new IllegalArgumentException("--predict-val-count, -observe, -horizon and -draws set up prediction validation: give --predict-val FILE too");
        }
      }
      return;
    }
    if (!Files.exists(predictVal)) {
      throw new IllegalArgumentException("--predict-val " + predictVal + ": no such file");
    }
    if (orDefault(predictValCount, PredictionValidation.DEFAULT_COUNT) < 1) {
      throw new IllegalArgumentException("--predict-val-count must be >= 1, got " + predictValCount);
    }
    if (orDefault(predictValObserve, PredictionValidation.DEFAULT_OBSERVE) < 1
        || orDefault(predictValHorizon, PredictionValidation.DEFAULT_HORIZON) < 1) {
      throw new IllegalArgumentException("--predict-val-observe and --predict-val-horizon must be >= 1");
    }
    if (orDefault(predictValDraws, PredictionValidation.DEFAULT_DRAWS) < 1) {
      throw new IllegalArgumentException("--predict-val-draws must be >= 1, got " + predictValDraws);
    }
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  /** The prediction validation of --predict-val, its clips read and checked against the model's frame size. */
  private PredictionValidation predictionValidation(int imageSize, int threads) throws java.io.IOException {
    List<ClipRecord> clips = ClipFiles.read(predictVal, orDefault(predictValCount, PredictionValidation.DEFAULT_COUNT));
    ClipFiles.requireFrameSize(clips, imageSize, predictVal);
    int observe = orDefault(predictValObserve, PredictionValidation.DEFAULT_OBSERVE);
    int horizon = orDefault(predictValHorizon, PredictionValidation.DEFAULT_HORIZON);
    return new PredictionValidation(clips, predictVal.toString(), observe, horizon,
        orDefault(predictValDraws, PredictionValidation.DEFAULT_DRAWS), threads);
  }

  /** Clips held in memory and streamed data both train; these are what the trainer needs of either. */
  private record TrainingData(
      List<ClipRecord> clips, ClipStream.Sources sources, long trainCount, ClipRecord sample, List<ClipRecord> validation,
      String valName, String describe) {}

  /**
   * The smallest frame size at which bfloat16 was measured faster than float32 on CPUs with native
   * bfloat16 (the paper preset's 64 x 64; the cpu preset's 32 x 32 was slower, docs/PERFORMANCE.md).
   */
  static final int BFLOAT16_PAYS_FROM_SIZE = 64;

  /** Whether a float32 run on this CPU would train faster in bfloat16, as measured: native bfloat16 and large frames. */
  static boolean bfloat16WouldPay(boolean gpu, Precision precision, int imageSize, boolean cpuHasNativeBfloat16) {
    return !gpu && precision == Precision.FLOAT32 && imageSize >= BFLOAT16_PAYS_FROM_SIZE && cpuHasNativeBfloat16;
  }

  /** Default clips in the shuffle buffer of a stream. */
  static final int DEFAULT_SHUFFLE_BUFFER = 256;

  private int shuffleBuffer() {
    return shuffleBuffer != null ? shuffleBuffer : DEFAULT_SHUFFLE_BUFFER;
  }

  /**
   * Whether to stream the training data: asked for with --shuffle-buffer, several files, or
   * files larger than a quarter of the heap (where reading them into memory could fail).
   */
  private boolean stream(List<Path> files) throws java.io.IOException {
    if (shuffleBuffer != null) {
      if (shuffleBuffer < 1) {
        throw new IllegalArgumentException("--shuffle-buffer must be >= 1, got " + shuffleBuffer);
      }
      return true;
    }
    if (files.size() > 1) {
      return true;
    }
    if (!Files.isRegularFile(files.get(0))) {
      return false; // reading it says what is wrong
    }
    long bytes = Files.size(files.get(0));
    if (bytes > Runtime.getRuntime().maxMemory() / 4) {
      System.err.printf("note: %s is %.1f GB, more than a quarter of the %.1f GB heap: streaming it through a shuffle "
          + "buffer of %d sequences (--shuffle-buffer)%n", files.get(0), bytes / 1e9, Runtime.getRuntime().maxMemory() / 1e9,
          shuffleBuffer());
      return true;
    }
    return false;
  }

  /** The training file read into memory (at most --limit sequences), this worker's shard of it, and the held-out ones. */
  private TrainingData inMemory(ClusterSpec cluster) throws java.io.IOException {
    System.err.println("reading " + data + " ...");
    List<ClipRecord> all = ClipFiles.read(data, limit + (val == null ? valCount : 0));
    List<ClipRecord> train = all;
    List<ClipRecord> validation;
    String valName;
    if (val != null) {
      validation = ClipFiles.read(val, valCount);
      valName = val.toString();
    } else {
      requireHeldOut(all.size());
      train = all.subList(0, all.size() - valCount);
      validation = all.subList(all.size() - valCount, all.size());
      valName = "last " + valCount + " sequences of " + data;
    }
    requireFrames(train, data.toString());
    String describe = train.size() + " sequences";
    if (cluster != null) {
      train = shard(train, cluster);
      describe = train.size() + " sequences (worker " + cluster.index() + "'s shard of " + data + ", " + cluster.size() + " workers)";
    }
    return new TrainingData(train, null, 0, train.get(0), validation, valName, describe);
  }

  /** The training files as a stream: counted once, the held-out tail read into memory, nothing else. */
  private TrainingData streamed(List<Path> files, Trainer.Options options, ClusterSpec cluster) throws java.io.IOException {
    System.err.println("counting the sequences of " + files.size() + " file" + (files.size() == 1 ? "" : "s") + " (" + data + ") ...");
    ClipStream.Sources sources = ClipStream.Sources.scan(files);
    long total = sources.total();
    List<ClipRecord> validation;
    String valName;
    long trainCount;
    if (val != null) {
      validation = ClipFiles.read(val, valCount);
      valName = val.toString();
      trainCount = total;
    } else {
      requireHeldOut(total);
      trainCount = total - valCount;
      validation = sources.tail(trainCount);
      valName = "last " + valCount + " sequences of " + data;
    }
    if (trainCount == 0) {
      throw new IllegalArgumentException(data + " holds no sequences");
    }
    ClipRecord sample = ClipFiles.readOne(files.get(0), 0);
    requireFrames(List.of(sample), files.get(0).toString());
    int workers = cluster == null ? 1 : cluster.size();
    int worker = cluster == null ? 0 : cluster.index();
    if (trainCount <= worker) {
      throw new IllegalArgumentException("worker " + worker + " has no training sequence: " + data + " holds " + trainCount
          + " after the held-out ones, fewer than the " + workers + " workers");
    }
    String describe = String.format("%d sequences streamed from %d file%s through a shuffle buffer of %d%s", trainCount,
        files.size(), files.size() == 1 ? "" : "s", shuffleBuffer(),
        cluster == null ? "" : " (worker " + worker + "'s shard: sequences " + worker + ", " + (worker + workers) + ", " + (worker + 2 * workers) + ", ...)");
    return new TrainingData(null, sources, trainCount, sample, validation, valName, describe);
  }

  /** Refuses data of {@code total} sequences too few to hold out --val-count and train on the rest. */
  private void requireHeldOut(long total) {
    if (total <= valCount) {
      throw new IllegalArgumentException(data + " has " + total + " sequences: too few to hold out " + valCount
          + " for validation and train on the rest (lower --val-count or give --val FILE)");
    }
  }

  /** Exit status 4: a worker of the cluster was lost (or never came up). */
  static final int WORKER_LOST = 4;

  /** Says how the run ended and returns the exit status. */
  private static int finish(Trainer.Result r, boolean chief) {
    if (r.outcome() == Trainer.Outcome.INTERRUPTED) {
      return 130; // the trainer said what it saved; the JVM is shutting down
    }
    if (r.outcome() == Trainer.Outcome.WORKER_LOST) {
      System.err.println("provide train: " + r.message() + ". "
          + (chief ? "Newest checkpoint: " + (r.lastCheckpoint() == null ? "none" : r.lastCheckpoint().dir()) + "; " : "")
          + "restart every worker with --resume to continue from the chief's newest checkpoint");
      return WORKER_LOST;
    }
    System.out.printf("%n%s after %d steps (%.1f min). Newest checkpoint: %s%n", describe(r.outcome()), r.step(),
        r.seconds() / 60, chief ? (r.lastCheckpoint() == null ? "none" : r.lastCheckpoint().dir()) : "the chief's");
    if (r.outcome() == Trainer.Outcome.NOT_FINITE) {
      System.err.println("provide train: " + r.message());
      return 3;
    }
    if (!r.message().isEmpty()) {
      System.out.println("note: " + r.message());
    }
    return 0;
  }

  /**
   * The cluster this process is a worker of: from --workers and --task-index, else from the
   * TF_CONFIG environment variable; null when neither is given or the cluster has one worker.
   */
  private ClusterSpec clusterSpec() {
    ClusterSpec c;
    if (workers != null) {
      if (taskIndex == null) {
        throw new IllegalArgumentException("--workers needs --task-index: this worker's place in the list (0 = the chief)");
      }
      c = new ClusterSpec(workers, taskIndex);
    } else if (taskIndex != null) {
      throw new IllegalArgumentException("--task-index needs --workers HOST:PORT,HOST:PORT,...");
    } else {
      String env = System.getenv(ClusterSpec.ENV);
      if (env == null || env.isBlank()) {
        return null;
      }
      c = ClusterSpec.parse(env);
    }
    return c.size() > 1 ? c : null;
  }

  /** Worker i of W trains on sequences i, i + W, i + 2W, ... of the training set (as {@link ClipStream} shards). */
  private List<ClipRecord> shard(List<ClipRecord> train, ClusterSpec cluster) {
    List<ClipRecord> mine = new ArrayList<>();
    for (int i = cluster.index(); i < train.size(); i += cluster.size()) {
      mine.add(train.get(i));
    }
    if (mine.isEmpty()) {
      throw new IllegalArgumentException("worker " + cluster.index() + " has no training sequence: " + data + " holds "
          + train.size() + " after the held-out ones, fewer than the " + cluster.size() + " workers");
    }
    return mine;
  }

  /** --local-workers N: the same command, without that flag, as N processes of one loopback cluster. */
  private int launchLocalWorkers() throws java.io.IOException, InterruptedException {
    if (localWorkers < 1) {
      throw new IllegalArgumentException("--local-workers must be >= 1, got " + localWorkers);
    }
    if (workers != null || taskIndex != null) {
      throw new IllegalArgumentException("--local-workers makes its own cluster: leave out --workers and --task-index");
    }
    Map<String, List<String>> given = RunFlags.given(spec.commandLine().getParseResult());
    List<String> args = new ArrayList<>(List.of("train"));
    args.addAll(RunFlags.asArgs(given));
    if (resume) {
      args.add("--resume");
    }
    if (run == null) {
      args.addAll(List.of("--run", defaultRunName(Mode.parse(mode).label()).toString()));
    }
    if (threads == 0) {
      int cores = Runtime.getRuntime().availableProcessors();
      args.addAll(List.of("--worker-threads", String.valueOf(Math.max(1, cores / localWorkers))));
    }
    return LocalCluster.run(localWorkers, ProvideCommand.class.getName(), args, System.err);
  }

  private Path defaultRunName(String modeLabel) {
    return Path.of("runs", preset + "-" + modeLabel + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
  }

  /** Refuses a batch and window whose activations cannot fit in this machine's memory. */
  private void requireMemory(ModelConfig config) {
    long need = TrainingGraph.estimatedActivationBytes(config, batch, frames + predictFrames);
    long have = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    if (need > have) {
      throw new IllegalArgumentException(String.format(
          "--batch %d with --frames %d needs about %.1f GB for a training step (K %d, %dx%d); this machine has %.1f GB: "
              + "lower --batch or --frames", batch, frames, need / 1e9, config.slots(), config.imageSize(), config.imageSize(), have / 1e9));
    }
  }

  /** Every clip must be at least one training window long. */
  private void requireFrames(List<ClipRecord> clips, String source) {
    for (ClipRecord c : clips) {
      if (c.numFrames() < frames + predictFrames) {
        String asked = predictFrames == 0 ? "--frames " + frames : "--frames " + frames + " plus --predict-frames " + predictFrames;
        throw new IllegalArgumentException(asked + " is longer than the " + c.numFrames()
            + "-frame clips of " + source + ": give " + c.numFrames() + " frames or fewer in all");
      }
    }
  }

  /** The configuration of the run's newest checkpoint whose config.json reads. */
  private static ModelConfig newestReadableConfig(Path runDir) throws java.io.IOException {
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException(runDir + ": no such run folder to resume");
    }
    List<Checkpoints.Checkpoint> all = Checkpoints.list(runDir);
    if (all.isEmpty()) {
      throw new IllegalArgumentException(runDir + " has no checkpoint to resume from");
    }
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        return all.get(i).config();
      } catch (java.io.IOException | IllegalArgumentException e) {
        System.err.println("checkpoint " + all.get(i).dir() + " has no readable configuration (" + e.getMessage() + "); trying an older one");
      }
    }
    throw new IllegalArgumentException("no checkpoint of " + runDir + " has a readable configuration");
  }

  private static String describe(Trainer.Outcome o) {
    switch (o) {
      case FINISHED:
        return "Finished";
      case TIME_LIMIT:
        return "Stopped at the time limit";
      case CLUSTER_STOPPED:
        return "Stopped with the cluster (another worker was interrupted or reached the time limit)";
      default:
        return "Stopped: the loss is not finite";
    }
  }

  /** Refuses an option that acts on the prediction term when there is none: "{what}: give --predict-frames P too". */
  private void requirePredictFrames(boolean given, String what) {
    if (given && predictFrames == 0) {
      throw new IllegalArgumentException(what + ": give --predict-frames P too");
    }
  }

  private static TrainingGraph.LatentScore latentScore(String s) {
    switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "kl":
        return TrainingGraph.LatentScore.KL;
      case "laplace":
        return TrainingGraph.LatentScore.LAPLACE;
      default:
        throw new IllegalArgumentException("--predict-latent-score must be kl or laplace, got '" + s + "'");
    }
  }

  private static boolean parseDevice(String d) {
    switch (d.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "cpu":
        return false;
      case "gpu":
        if (!Devices.gpuAvailable()) {
          System.err.println("provide train: no usable GPU here (CPU natives, no GPU, or CUDA/cuDNN missing); using the CPU");
          return false;
        }
        return true;
      default:
        throw new IllegalArgumentException("--device must be cpu or gpu, got '" + d + "'");
    }
  }

  /** The model --init-from names, checked: its configuration is the run's, so none may be given beside it. */
  private Checkpoints.Checkpoint initialWeights() throws java.io.IOException {
    var parsed = spec.commandLine().getParseResult();
    for (String own : List.of("--config", "--preset", "--mode", "--slots")) {
      if (parsed.hasMatchedOption(own)) {
        throw new IllegalArgumentException("--init-from trains the model's own configuration: leave out " + own);
      }
    }
    try {
      Checkpoints.Checkpoint c = Checkpoints.resolve(initFrom);
      c.config(); // a model without a readable configuration fails here, before the data is read
      return c;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("--init-from " + initFrom + ": no such run, checkpoint or model folder");
    }
  }

  /**
   * {@code c} with the loss weights given on the command line (--kl-weight, --entropy-weight, else
   * {@code defaultEntropy}) and the rollout (--rollout-inference, --rollout-passes).
   */
  private ModelConfig withLossWeights(ModelConfig c, double defaultEntropy) {
    double psi = klWeight != null ? klWeight : c.loss().kl();
    double gamma = entropyWeight != null ? entropyWeight : defaultEntropy;
    ModelConfig out = c.withLoss(new ModelConfig.Loss(c.loss().nll(), psi, gamma));
    if (rolloutInference != null) {
      out = out.withTemporal(out.temporal().withInferredRollout(rolloutInference));
    }
    if (rolloutPasses != null) {
      if (rolloutPasses < 1) {
        throw new IllegalArgumentException("--rollout-passes must be >= 1, got " + rolloutPasses);
      }
      out = out.withTemporal(out.temporal().withRolloutPasses(rolloutPasses));
    }
    return out;
  }

  private ModelConfig buildConfig(ClipRecord sample) throws java.io.IOException {
    ModelConfig c = configFile != null ? ConfigJson.read(configFile) : ModelConfig.preset(preset);
    c = c.withMode(Mode.parse(mode));
    if (slots != null) {
      c = c.withSlots(slots);
    }
    if (sample.height() != c.imageSize() || sample.width() != c.imageSize()) {
      if (sample.height() != sample.width()) {
        throw new IllegalArgumentException("frames must be square, got " + sample.height() + "x" + sample.width());
      }
      System.err.printf("note: the data is %dx%d; the %s preset is %dx%d; using the data's size%n",
          sample.height(), sample.width(), preset, c.imageSize(), c.imageSize());
      c = c.withImageSize(sample.height());
    }
    return withLossWeights(c, sample.channels() == 1 ? c.loss().entropy() : 0.0).withSeed(seed);
  }
}
