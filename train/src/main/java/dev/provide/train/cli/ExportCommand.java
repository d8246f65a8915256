package dev.provide.train.cli;

import dev.provide.export.SavedModelExporter;
import dev.provide.graph.Checkpoints;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code provide export}: a SavedModel for TensorFlow Serving. */
@Command(
    name = "export",
    sortOptions = false,
    description = {
      "Export a trained model as a SavedModel in TensorFlow Serving's layout OUT/VERSION/, with the",
      "signatures serving_default (decompose F frames), predict (the next P frames), step (one frame",
      "of a live stream with its state), step_draw (step with the noise of draw i), predict_step and",
      "initial_state."
    })
final class ExportCommand implements Callable<Integer> {
  // Not mixinStandardHelpOptions: its --version would clash with the model version below.
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--checkpoint", required = true, description = "A run folder, a checkpoint folder or a model folder.")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "The model's base folder, DIR/NAME (TF Serving's model_base_path).")
  Path out;

  @Option(names = "--version", defaultValue = "1", description = "Version number (a new sub-folder). Default: ${DEFAULT-VALUE}.")
  long version;

  @Option(names = "--frames", defaultValue = "10", description = "F, frames of serving_default and predict. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--future", defaultValue = "10", description = "P, frames predict returns. Default: ${DEFAULT-VALUE}.")
  int future;

  @Option(names = "--observe-draws", defaultValue = "1", paramLabel = "N",
      description = "The predict signature rolls out from the state averaged over N inferences of the F observed frames, "
          + "as provide predict --observe-draws N does (docs/MODEL.md section 6f): they share the first min(3, F - 1) frames "
          + "and draw their own noise after. Each draw unrolls those frames into the graph once more. 1 = from the "
          + "decomposition's own state, as the paper. The other signatures do not change. Default: ${DEFAULT-VALUE}.")
  int observeDraws;

  @Mixin
  SlotOptions slotOptions = new SlotOptions();

  @Override
  public Integer call() throws Exception {
    long start = System.nanoTime();
    dev.provide.train.Predictor.requireObserveDraws(observeDraws);
    Checkpoints.Checkpoint c = Checkpoints.resolve(checkpoint);
    Path dir = SavedModelExporter.export(c, out, version, frames, future, slotOptions.slots, observeDraws);
    System.out.printf("exported %s to %s in %.1f s%n", c.dir(), dir, (System.nanoTime() - start) / 1e9);
    System.out.println("serve with: tensorflow_model_server --rest_api_port=8501 --model_name="
        + out.getFileName() + " --model_base_path=" + out.toAbsolutePath());
    return 0;
  }
}
