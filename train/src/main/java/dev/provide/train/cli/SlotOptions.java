package dev.provide.train.cli;

import dev.provide.graph.LoadedModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --slots}, shared by the commands that run a trained model. */
final class SlotOptions {
  @Option(names = "--slots", defaultValue = "0",
      description = "Slots K to run the model with; 0 = as many as it was trained with. The weights are shared by all "
          + "slots, so a model trained with K slots runs with more: spare slots take the pieces of background that "
          + "would otherwise push two balls into one slot (docs/RESULTS.md). Default: as trained.")
  int slots;

  /** Loads the checkpoint with the slots asked for (bad values are IllegalArgumentExceptions: exit status 2). */
  LoadedModel open(Path checkpoint, int threads) throws IOException {
    return open(checkpoint, threads, dev.provide.graph.Precision.FLOAT32);
  }

  LoadedModel open(Path checkpoint, int threads, dev.provide.graph.Precision precision) throws IOException {
    return LoadedModel.open(checkpoint, false, threads, slots, precision);
  }
}
