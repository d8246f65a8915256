package dev.provide.train.cli;

import dev.provide.graph.Restarts;
import picocli.CommandLine.Option;

/** {@code --restarts} and {@code --restart-frames}, shared by the commands that decompose clips. */
final class RestartOptions {
  @Option(names = "--restarts", defaultValue = "1",
      description = "Starts of inference on each clip's first frames, with different noise; each sequence keeps the start its "
          + "frames are most likely under (the model's own log-likelihood, no labels). 1 = off, the paper's protocol. "
          + "Default: ${DEFAULT-VALUE}.")
  int count;

  @Option(names = "--restart-frames", defaultValue = "3",
      description = "Leading frames each start decomposes and is judged on. Default: ${DEFAULT-VALUE}.")
  int frames;

  /** The restarts asked for (bad values are IllegalArgumentExceptions: exit status 2). */
  Restarts restarts() {
    return new Restarts(count, frames);
  }
}
