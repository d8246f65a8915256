package dev.provide.train.cli;

import dev.provide.graph.LoadedModel;
import dev.provide.train.Golden;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code provide golden}: regenerate the regression tests' golden outputs. */
@Command(
    name = "golden",
    mixinStandardHelpOptions = true,
    description = {
      "Regenerate the golden inputs and outputs the regression tests compare against:",
      "./provide golden --model testdata/model --out testdata/golden"
    })
final class GoldenCommand implements Callable<Integer> {
  @Option(names = "--model", defaultValue = "testdata/model", description = "Model folder. Default: ${DEFAULT-VALUE}.")
  Path model;

  @Option(names = "--out", defaultValue = "testdata/golden", description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() throws Exception {
    try (LoadedModel m = LoadedModel.open(model, false, 0)) {
      List<ClipRecord> inputs = Golden.inputs(m.config().imageSize());
      Golden.Expected e = Golden.compute(m, inputs);
      Golden.write(out, inputs, e);
      System.out.printf("wrote %s: %d sequences of %d frames (+%d predicted); ARI %.4f, F-ARI %.4f, MSE %.5f%n",
          out, Golden.SEQUENCES, Golden.FRAMES, Golden.FUTURE, e.ari(), e.foregroundAri(), e.mse());
    }
    return 0;
  }
}
