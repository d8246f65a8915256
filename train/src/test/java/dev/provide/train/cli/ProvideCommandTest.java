package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.train.data.ClipFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProvideCommandTest {
  @TempDir Path dir;

  /** Runs the command line in-process; returns exit code, stdout and stderr. */
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = ProvideCommand.commandLine();
    StringWriter out = new StringWriter(), err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEverySubcommand() {
    Run r = run("--help");
    assertEquals(0, r.code());
    for (String c : new String[] {"data", "train", "evaluate", "predict", "export", "render", "bench", "info"}) {
      assertTrue(r.out().contains("  " + c + " "), "--help does not list " + c + ":\n" + r.out());
    }
    Run data = run("data", "--help");
    for (String c : new String[] {"generate", "import", "inspect", "show"}) {
      assertTrue(data.out().contains(c), data.out());
    }
  }

  @Test
  void badInputIsOneClearLineAndExitCode2() throws Exception {
    Run missing = run("data", "inspect", dir.resolve("missing.tfrecord").toString());
    assertEquals(2, missing.code());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());
    assertTrue(missing.err().contains("missing.tfrecord"), missing.err());

    Path garbage = dir.resolve("garbage.tfrecord");
    Files.writeString(garbage, "definitely not records");
    Run corrupt = run("data", "inspect", garbage.toString());
    assertEquals(2, corrupt.code());
    assertTrue(corrupt.err().contains("record 0"), corrupt.err());
    assertEquals(1, corrupt.err().strip().lines().count(), corrupt.err());

    Run variant = run("data", "generate", "--variant", "plaid", "--count", "1", "--out", dir.resolve("x.tfrecord").toString());
    assertEquals(2, variant.code());
    assertTrue(variant.err().contains("plaid"), variant.err());
    assertTrue(!Files.exists(dir.resolve("x.tfrecord")));

    Run unknownOption = run("train", "--bogus");
    assertEquals(2, unknownOption.code());

    Run noConfig = run("train", "--data", garbage.toString(), "--config", dir.resolve("nonexistent.json").toString());
    assertEquals(2, noConfig.code());
    assertTrue(noConfig.err().contains("--config ") && noConfig.err().contains("nonexistent.json: no such file"), noConfig.err());

    Run benchNoConfig = run("bench", "--cases", "train-cpu", "--config", dir.resolve("nonexistent.json").toString());
    assertEquals(2, benchNoConfig.code());
    assertTrue(benchNoConfig.err().contains("nonexistent.json: no such file"), benchNoConfig.err());
    Run benchBadConfig = run("bench", "--cases", "train-cpu", "--config", garbage.toString(), "--warmup", "0", "--steps", "1");
    assertEquals(2, benchBadConfig.code(), benchBadConfig.err());
    assertTrue(benchBadConfig.err().contains("garbage.tfrecord"), benchBadConfig.err());

    Path empty = Files.createFile(dir.resolve("empty.tfrecord"));
    Run inspectEmpty = run("data", "inspect", empty.toString());
    assertEquals(2, inspectEmpty.code());
    assertTrue(inspectEmpty.err().contains("holds no sequences"), inspectEmpty.err());

    String shipped = Path.of("..", "testdata", "model").toString();
    Run initAndPreset = run("train", "--data", garbage.toString(), "--init-from", shipped, "--preset", "paper");
    assertEquals(2, initAndPreset.code());
    assertTrue(initAndPreset.err().contains("--init-from trains the model's own configuration: leave out --preset"), initAndPreset.err());
    Run initFromNothing = run("train", "--data", garbage.toString(), "--init-from", dir.resolve("no-model").toString());
    assertEquals(2, initFromNothing.code());
    assertTrue(initFromNothing.err().contains("no such run, checkpoint or model folder"), initFromNothing.err());

    Run noData = run("train", "--minutes", "1");
    assertEquals(2, noData.code());
    assertTrue(noData.err().contains("--data FILE is required"), noData.err());
  }

  @Test
  void generateIsDeterministicAndInspectable() throws Exception {
    Path a = dir.resolve("a.tfrecord"), b = dir.resolve("b.tfrecord");
    for (Path p : new Path[] {a, b}) {
      Run r = run("data", "generate", "--balls", "6-8", "--variant", "four-colours", "--frames", "5", "--size", "16",
          "--count", "7", "--seed", "4", "--threads", "2", "--out", p.toString());
      assertEquals(0, r.code(), r.err());
    }
    assertTrue(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "same seed, same bytes");
    assertEquals(7, ClipFiles.read(a, 100).size());
    Path png = dir.resolve("strip.png");
    assertEquals(0, run("data", "show", a.toString(), "--index", "6", "--out", png.toString()).code());
    assertTrue(Files.size(png) > 100);
    assertEquals(2, run("data", "show", a.toString(), "--index", "7", "--out", png.toString()).code());
    Run huge = run("data", "show", a.toString(), "--index", "0", "--scale", "100000", "--out", dir.resolve("huge.png").toString());
    assertEquals(2, huge.code());
    assertTrue(huge.err().contains("too large"), huge.err());
    assertTrue(!Files.exists(dir.resolve("huge.png")));
  }

  @Test
  void evaluateWritesTheTableAndEveryFramesScoresWithRestarts() throws Exception {
    String model = Path.of("..", "testdata", "model").toString(), input = Path.of("..", "testdata", "golden", "input.tfrecord").toString();
    Path out = dir.resolve("eval");
    Run r = run("evaluate", "--checkpoint", model, "--data", input, "--lengths", "3,6", "--restarts", "2", "--restart-frames", "2",
        "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    String table = Files.readString(out.resolve("metrics.md"));
    assertTrue(table.contains("2 restarts on 2 frames") && table.contains("| 6 frames |"), table);
    String json = Files.readString(out.resolve("metrics.json"));
    assertTrue(json.contains("\"restarts\": 2") && json.contains("\"f_ari\""), json);
    List<String> rows = Files.readAllLines(out.resolve("frames.csv"));
    assertEquals("sequence,frame,ari,f_ari", rows.get(0));
    assertEquals(1 + 2 * 6, rows.size(), "one row per frame of the longest length, for both golden sequences");

    Run bad = run("evaluate", "--checkpoint", model, "--data", input, "--lengths", "3", "--restarts", "0");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("restarts must be >= 1"), bad.err());
  }

  @Test
  void evaluateRunsTheModelWithTheSlotsAskedFor() throws Exception {
    String model = Path.of("..", "testdata", "model").toString(), input = Path.of("..", "testdata", "golden", "input.tfrecord").toString();
    Path out = dir.resolve("eval-slots");
    int trained = Checkpoints.resolve(Path.of(model)).config().slots();
    Run r = run("evaluate", "--checkpoint", model, "--data", input, "--lengths", "3", "--slots", "11", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    String table = Files.readString(out.resolve("metrics.md"));
    assertTrue(table.contains("11 slots (trained with " + trained + ")"), table);
    String json = Files.readString(out.resolve("metrics.json"));
    assertTrue(json.contains("\"slots\": 11") && json.contains("\"trained_slots\": " + trained), json);

    Run bad = run("evaluate", "--checkpoint", model, "--data", input, "--lengths", "3", "--slots", "1");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("slots (K) must be in 2..32"), bad.err());
  }

  @Test
  void aRunFolderIsNeverMixedAndARejectedCommandWritesNothing() throws Exception {
    Path data = dir.resolve("d.tfrecord");
    assertEquals(0, run("data", "generate", "--frames", "6", "--size", "16", "--count", "6", "--seed", "4", "--out", data.toString()).code());
    Path runDir = dir.resolve("run");
    String[] common = {"--data", data.toString(), "--val-count", "2", "--batch", "2",
        "--checkpoint-every", "1", "--validate-every", "100", "--run", runDir.toString()};
    String[] frames3 = {"--frames", "3"};

    // A fresh run that is rejected leaves nothing behind.
    Run badBatch = run("train", "--steps", "2", "--batch", "0", "--data", data.toString(), "--run", runDir.toString());
    assertEquals(2, badBatch.code());
    assertTrue(!Files.exists(runDir), "a rejected run created " + runDir);
    Run longFrames = run(concat(new String[] {"train", "--steps", "2"}, common, new String[] {"--frames", "9"}));
    assertEquals(2, longFrames.code());
    assertTrue(longFrames.err().contains("--frames 9 is longer than the 6-frame clips"), longFrames.err());
    assertTrue(!Files.exists(runDir));
    Run hugeBatch = run(concat(new String[] {"train", "--steps", "2", "--batch", "1000000"},
        new String[] {"--data", data.toString(), "--val-count", "2", "--run", runDir.toString()}, frames3));
    assertEquals(2, hugeBatch.code());
    assertTrue(hugeBatch.err().contains("lower --batch or --frames"), hugeBatch.err());
    assertTrue(!Files.exists(runDir));

    assertEquals(0, run(concat(new String[] {"train", "--steps", "2", "--lr", "1e-3"}, common, frames3)).code());
    String flags = Files.readString(runDir.resolve(RunFlags.FILE));
    long checkpoints = Checkpoints.list(runDir).size();

    // Training again into the same folder is refused, naming --resume and --overwrite.
    Run again = run(concat(new String[] {"train", "--steps", "2"}, common, frames3));
    assertEquals(2, again.code());
    assertTrue(again.err().contains("--resume") && again.err().contains("--overwrite"), again.err());
    // A resume with a bad flag is rejected and does not change the saved flags.
    Run badResume = run("train", "--run", runDir.toString(), "--resume", "--lr", "-1");
    assertEquals(2, badResume.code());
    assertEquals(flags, Files.readString(runDir.resolve(RunFlags.FILE)));
    assertEquals(checkpoints, Checkpoints.list(runDir).size());
    // A crash during a save leaves a partial folder: the next start removes it.
    Files.createDirectories(runDir.resolve(Checkpoints.FOLDER).resolve(".step-00000003.x1y2.partial"));
    Run resumed = run("train", "--run", runDir.toString(), "--resume", "--steps", "3");
    assertEquals(0, resumed.code(), resumed.err());
    try (var files = Files.list(runDir.resolve(Checkpoints.FOLDER))) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
    }
    assertEquals(3, Checkpoints.latest(runDir).orElseThrow().step());

    // --overwrite starts over: the old checkpoints are gone.
    Run over = run(concat(new String[] {"train", "--steps", "1", "--overwrite"}, common, frames3));
    assertEquals(0, over.code(), over.err());
    assertEquals(List.of(1L), Checkpoints.list(runDir).stream().map(Checkpoints.Checkpoint::step).toList());
  }

  @Test
  void aDamagedCheckpointIsOneLineNotAStackTrace() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    try (var files = Files.list(Path.of("..", "testdata", "model"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, model.resolve(f.getFileName()));
      }
    }
    Files.writeString(model.resolve("model.index"), "this is not an sstable, it is a note");
    Run r = run("export", "--checkpoint", model.toString(), "--out", dir.resolve("serving").toString(), "--version", "1");
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().contains("model.index") || r.err().contains("sstable"), r.err());
  }

  @Test
  void everyCommandAndSubcommandHasHelpAndVersion() {
    java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
    collect(ProvideCommand.commandLine(), new java.util.ArrayList<>(), paths);
    assertTrue(paths.size() >= 16, paths.toString());
    for (java.util.List<String> path : paths) {
      java.util.List<String> args = new java.util.ArrayList<>(path);
      args.add("--help");
      Run help = run(args.toArray(String[]::new));
      assertEquals(0, help.code(), path + " --help: " + help.err());
      assertTrue(help.out().contains("Usage:"), path + " --help printed:\n" + help.out());
      if (!path.equals(List.of("export")) && !path.equals(List.of("help"))) { // export's --version is the model version
        args.set(args.size() - 1, "--version");
        Run version = run(args.toArray(String[]::new));
        assertEquals(0, version.code(), path + " --version: " + version.err());
        assertTrue(version.out().contains("provide "), path + " --version printed: '" + version.out() + "'");
      }
    }
  }

  @Test
  void helpTextsAreParagraphsWrappedAtWordsNotCutSourceLines() {
    assertArrayEquals(new String[] {"one two three", "", "  - a list item", "  - another"},
        ProvideCommand.paragraphs(new String[] {"one two", "three", "", "  - a list item", "  - another"}));
    // demo's description is three source lines; printed, no line may end mid-phrase after a
    // short fragment ("with the / shipped model (or one / trained now ...").
    Run help = run("demo", "--help");
    String[] lines = help.out().split("\\R");
    int first = 0;
    while (!lines[first].startsWith("Generate")) {
      first++;
    }
    for (int i = first; !lines[i + 1].startsWith(" "); i++) {
      assertTrue(lines[i].length() > 60, "a cut line in demo --help: '" + lines[i] + "'\n" + help.out());
    }
  }

  @Test
  void optionDescriptionsBreakAtSpacesOnlyAtEveryWidth() {
    java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
    collect(ProvideCommand.commandLine(), new java.util.ArrayList<>(), paths);
    int checked = 0;
    for (int width : new int[] {55, 64, 80, 100, 120, 160}) {
      for (java.util.List<String> path : paths) {
        CommandLine cl = ProvideCommand.commandLine();
        for (String name : path) {
          cl = cl.getSubcommands().get(name);
        }
        cl.setUsageHelpWidth(width);
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        java.util.Set<String> printed = new java.util.HashSet<>(java.util.Arrays.asList(usage.split("\\s+")));
        for (var option : cl.getCommandSpec().options()) {
          if (option.hidden()) {
            continue;
          }
          for (String line : option.description()) {
            for (String word : line.split("\\s+")) {
              // A word wider than the description column (which starts at column 29) must break.
              if (word.isEmpty() || word.contains("$") || word.contains("{") || word.length() > width - 32) {
                continue;
              }
              checked++;
              assertTrue(printed.contains(word), path + " " + option.longestName() + " at width " + width
                  + ": the word '" + word + "' was broken across lines:\n" + usage);
            }
          }
        }
      }
    }
    assertTrue(checked > 1000, "checked only " + checked + " words");
  }

  @Test
  void theRolloutChoicesAreSavedWithTheModelAndPredictFollowsThem() throws Exception {
    Path data = dir.resolve("inferred.tfrecord");
    assertEquals(0, run("data", "generate", "--frames", "6", "--size", "16", "--count", "6", "--seed", "5", "--out", data.toString()).code());
    Path runDir = dir.resolve("inferred-run");
    Run trained = run("train", "--steps", "1", "--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3",
        "--predict-frames", "2", "--rollout-inference", "--validate-every", "100", "--run", runDir.toString());
    assertEquals(0, trained.code(), trained.err());
    Checkpoints.Checkpoint latest = Checkpoints.latest(runDir).orElseThrow();
    assertTrue(latest.config().temporal().inferredRollout(), "the checkpoint's configuration lost --rollout-inference");
    String[] predict = {"predict", "--checkpoint", runDir.toString(), "--data", data.toString(), "--count", "2", "--observe", "3", "--future", "2"};
    Path out = dir.resolve("inferred-predict");
    Run r = run(concat(predict, new String[] {"--out", out.toString()}));
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.readString(out.resolve("prediction.md")).contains("inferred as observed"), r.out());
    Run sharp = run(concat(predict, new String[] {"--feedback-sharpness", "4"}));
    assertEquals(2, sharp.code());
    assertTrue(sharp.err().contains("leave it at 1"), sharp.err());

    // Rollout passes (MODEL.md 6d) the same way; refused with the inferred rollout or below 1.
    Path passesDir = dir.resolve("passes-run");
    String[] passes = {"train", "--steps", "1", "--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3",
        "--predict-frames", "2", "--validate-every", "100", "--run", passesDir.toString(), "--rollout-passes"};
    Run both = run(concat(passes, new String[] {"2", "--rollout-inference"}));
    assertEquals(2, both.code());
    assertTrue(both.err().contains("no extra rollout passes"), both.err());
    Run none = run(concat(passes, new String[] {"0"}));
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--rollout-passes must be >= 1"), none.err());
    assertTrue(!Files.exists(passesDir), "a rejected run created " + passesDir);
    // With the latent prediction term (MODEL.md 6e), which is logged; refused without --predict-frames.
    Run two = run(concat(passes, new String[] {"2", "--predict-latent-weight", "2", "--predict-latent-score", "laplace",
        "--predict-state-weight", "1", "--predict-observe-draws", "2"}));
    assertEquals(0, two.code(), two.err());
    assertEquals(2, Checkpoints.latest(passesDir).orElseThrow().config().temporal().rolloutPasses());
    String metrics = Files.readString(passesDir.resolve("metrics.csv"));
    assertTrue(metrics.contains("prediction_latent") && metrics.contains("prediction_state"), "the latent and state terms were not logged");
    Run latentAlone = run("train", "--steps", "1", "--data", data.toString(), "--predict-latent-weight", "2", "--run",
        dir.resolve("latent-alone").toString());
    assertEquals(2, latentAlone.code());
    assertTrue(latentAlone.err().contains("give --predict-frames P too"), latentAlone.err());
    Run stateAlone = run("train", "--steps", "1", "--data", data.toString(), "--predict-state-weight", "2", "--run",
        dir.resolve("state-alone").toString());
    assertEquals(2, stateAlone.code());
    assertTrue(stateAlone.err().contains("give --predict-frames P too"), stateAlone.err());
    Run drawsAlone = run("train", "--steps", "1", "--data", data.toString(), "--predict-observe-draws", "2", "--run",
        dir.resolve("draws-alone").toString());
    assertEquals(2, drawsAlone.code());
    assertTrue(drawsAlone.err().contains("give --predict-frames P too"), drawsAlone.err());
    Run noDraws = run("train", "--steps", "1", "--data", data.toString(), "--predict-frames", "2", "--predict-observe-draws", "0",
        "--run", dir.resolve("no-draws").toString());
    assertEquals(2, noDraws.code());
    assertTrue(noDraws.err().contains("--predict-observe-draws must be >= 1"), noDraws.err());
    assertTrue(!Files.exists(dir.resolve("no-draws")), "a rejected run created its folder");
    Run scoreAlone = run("train", "--steps", "1", "--data", data.toString(), "--predict-frames", "2", "--predict-latent-score",
        "laplace", "--run", dir.resolve("score-alone").toString());
    assertEquals(2, scoreAlone.code());
    assertTrue(scoreAlone.err().contains("give --predict-latent-weight W too"), scoreAlone.err());
    Path passesOut = dir.resolve("passes-predict");
    String[] predictPasses = {"predict", "--checkpoint", passesDir.toString(), "--data", data.toString(), "--count", "2",
        "--observe", "3", "--future", "2", "--out", passesOut.toString()};
    Run predicted = run(predictPasses);
    assertEquals(0, predicted.code(), predicted.err());
    assertTrue(Files.readString(passesOut.resolve("prediction.md")).contains("2 refinement passes per predicted frame"), predicted.out());
  }

  @Test
  void predictRollsOutFromAnAveragedStateWhenAsked() throws Exception {
    String model = Path.of("..", "testdata", "model").toString();
    String data = Path.of("..", "testdata", "golden", "input.tfrecord").toString();
    String[] common = {"predict", "--checkpoint", model, "--data", data, "--count", "2", "--observe", "4", "--future", "2"};
    Path one = dir.resolve("draws-1"), three = dir.resolve("draws-3");
    Run plain = run(concat(common, new String[] {"--out", one.toString()}));
    assertEquals(0, plain.code(), plain.err());
    Run averaged = run(concat(common, new String[] {"--observe-draws", "3", "--out", three.toString()}));
    assertEquals(0, averaged.code(), averaged.err());
    String report = Files.readString(three.resolve("prediction.md"));
    assertTrue(report.contains("averaged over 3 inferences"), report);
    // Another state: the model's forecast changes; the decomposition and the baselines do not.
    String plainJson = Files.readString(one.resolve("prediction.json")), averagedJson = Files.readString(three.resolve("prediction.json"));
    assertTrue(!horizonRow(plainJson, "model").equals(horizonRow(averagedJson, "model")), "the averaged state predicted what one inference does");
    assertEquals(horizonRow(plainJson, "copy_last"), horizonRow(averagedJson, "copy_last"));
    Run none = run(concat(common, new String[] {"--observe-draws", "0"}));
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--observe-draws must be >= 1"), none.err());
    Run restarted = run(concat(common, new String[] {"--observe-draws", "2", "--restarts", "2"}));
    assertEquals(2, restarted.code());
    assertTrue(restarted.err().contains("cannot be combined with --restarts"), restarted.err());
  }

  @Test
  void exportBakesObserveDrawsIntoThePredictSignatureWhenAsked() throws Exception {
    // The values are checked against VideoInference.averagedState in VideoDecomposerTest; here the flag.
    String model = Path.of("..", "testdata", "model").toString();
    Path out = dir.resolve("served-draws");
    Run ok = run("export", "--checkpoint", model, "--out", out.toString(), "--frames", "4", "--future", "2", "--observe-draws", "2");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(Files.exists(out.resolve("1").resolve("saved_model.pb")), ok.out());
    Run none = run("export", "--checkpoint", model, "--out", dir.resolve("served-none").toString(), "--observe-draws", "0");
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--observe-draws must be >= 1"), none.err());
    assertTrue(!Files.exists(dir.resolve("served-none")), "a refused export left a folder");
  }

  @Test
  void predictionValidationKeepsTheCheckpointWithTheBestForecast() throws Exception {
    Path data = dir.resolve("predict-val.tfrecord");
    assertEquals(0, run("data", "generate", "--frames", "6", "--size", "32", "--count", "6", "--seed", "9", "--out", data.toString()).code());
    Path runDir = dir.resolve("predict-val-run");
    String[] common = {"train", "--steps", "4", "--data", data.toString(), "--val-count", "2", "--batch", "2", "--frames", "3",
        "--init-from", Path.of("..", "testdata", "model").toString(), "--lr", "3e-4", "--validate-every", "100",
        "--checkpoint-every", "1", "--keep", "1", "--predict-val", data.toString(), "--predict-val-count", "3",
        "--predict-val-observe", "3"};
    Run trained = run(concat(common, new String[] {"--predict-val-horizon", "2", "--run", runDir.toString()}));
    assertEquals(0, trained.code(), trained.err());
    // Every checkpoint was scored and logged; the kept one is the highest F-ARI, at its step.
    List<String> rows = Files.readAllLines(runDir.resolve("metrics.csv")); // step, wall_time, tag, value
    assertEquals("step,wall_time,tag,value", rows.get(0));
    java.util.Map<Long, Double> logged = new java.util.TreeMap<>();
    for (String row : rows.subList(1, rows.size())) {
      String[] cells = row.split(",");
      if (cells[2].equals("prediction_validation/f_ari")) {
        logged.put(Long.parseLong(cells[0]), Double.parseDouble(cells[3]));
      }
    }
    assertEquals(java.util.Set.of(1L, 2L, 3L, 4L), logged.keySet(), rows.toString());
    dev.provide.train.PredictionValidation.Score kept = dev.provide.train.PredictionValidation.best(runDir).orElseThrow();
    double max = logged.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    assertEquals(max, kept.fAri(), 1e-6);
    assertEquals(max, logged.get(kept.step()), 1e-6);
    assertEquals(1, Checkpoints.list(runDir).size(), "--keep 1 prunes the others; the kept forecast is a folder of its own");
    // The kept folder holds that step's weights: provide predict on it scores the same F-ARI.
    Path out = dir.resolve("predict-val-best");
    Path best = runDir.resolve(dev.provide.train.PredictionValidation.FOLDER);
    Run predicted = run("predict", "--checkpoint", best.toString(), "--data", data.toString(), "--count", "3", "--observe", "3",
        "--future", "2", "--out", out.toString());
    assertEquals(0, predicted.code(), predicted.err());
    double rescored = com.google.gson.JsonParser.parseString(Files.readString(out.resolve("prediction.json"))).getAsJsonObject()
        .getAsJsonObject("horizons").getAsJsonObject("model").getAsJsonArray("f_ari").get(1).getAsDouble();
    assertEquals(kept.fAri(), rescored, 1e-6);
    assertEquals(kept.step(), Checkpoints.resolve(best).provenance().step());
    // Bad set-ups are refused before anything is written.
    Path refused = dir.resolve("predict-val-refused");
    Run tooFar = run(concat(common, new String[] {"--predict-val-horizon", "4", "--run", refused.toString()}));
    assertEquals(2, tooFar.code());
    assertTrue(tooFar.err().contains("needs 7"), tooFar.err());
    Run alone = run("train", "--steps", "1", "--data", data.toString(), "--predict-val-horizon", "2", "--run", refused.toString());
    assertEquals(2, alone.code());
    assertTrue(alone.err().contains("give --predict-val FILE too"), alone.err());
    Run cluster = run(concat(common, new String[] {"--predict-val-horizon", "2", "--local-workers", "2", "--run", refused.toString()}));
    assertEquals(2, cluster.code());
    assertTrue(cluster.err().contains("--predict-val scores checkpoints in a process that trains alone"), cluster.err());
    assertTrue(!Files.exists(refused), "a refused run created " + refused);
  }

  /** One predictor's scores per horizon in a prediction.json. */
  private static String horizonRow(String json, String predictor) {
    return com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("horizons").get(predictor).toString();
  }

  @Test
  void predictNamesItsRolloutInTheReportAndRefusesAnUnknownOne() throws Exception {
    String model = Path.of("..", "testdata", "model").toString();
    String data = Path.of("..", "testdata", "golden", "input.tfrecord").toString();
    String[] common = {"predict", "--checkpoint", model, "--data", data, "--count", "2", "--observe", "3", "--future", "2"};
    java.util.Map<String, String> modelRows = new java.util.HashMap<>();
    for (String rollout : List.of("mean", "sample")) {
      Path out = dir.resolve(rollout);
      Run r = run(concat(common, new String[] {"--rollout", rollout, "--out", out.toString()}));
      assertEquals(0, r.code(), r.err());
      String json = Files.readString(out.resolve("prediction.json"));
      assertTrue(json.contains("\"rollout\": \"" + rollout + "\""), json);
      String md = Files.readString(out.resolve("prediction.md"));
      assertTrue(md.contains("(rollout: " + rollout + ")"), md);
      modelRows.put(rollout, horizonRow(json, "model"));
    }
    assertTrue(!modelRows.get("mean").equals(modelRows.get("sample")), "a draw from the prior scored exactly as its mean: " + modelRows);
    Run unknown = run(concat(common, new String[] {"--rollout", "median"}));
    assertEquals(2, unknown.code());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    assertTrue(unknown.err().contains("--rollout must be mean or sample, got 'median'"), unknown.err());
  }

  private static void collect(CommandLine cl, java.util.List<String> prefix, java.util.List<java.util.List<String>> out) {
    for (var e : cl.getSubcommands().entrySet()) {
      java.util.List<String> path = new java.util.ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      collect(e.getValue(), path, out);
    }
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
