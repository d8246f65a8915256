package dev.provide.train.cli;

import dev.provide.graph.Checkpoints;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code provide ship}: a slim model folder from a training checkpoint. */
@Command(
    name = "ship",
    mixinStandardHelpOptions = true,
    description = {
      "Write a model folder for shipping or embedding: the weights without the optimiser state, with",
      "config.json and provenance.json (how testdata/model was made)."
    })
final class ShipCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run folder (its newest checkpoint) or a checkpoint folder.")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "The model folder to write (replaced).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Checkpoints.Checkpoint c = Checkpoints.resolve(checkpoint);
    Checkpoints.Checkpoint slim = Checkpoints.slim(c, out);
    System.out.println("wrote " + slim.dir() + " from " + c.dir() + " (step " + c.step() + ")");
    return 0;
  }
}
