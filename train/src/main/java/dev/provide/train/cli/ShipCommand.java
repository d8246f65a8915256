package dev.provide.train.cli;

import dev.provide.graph.Checkpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code provide ship}: a slim model folder from a training checkpoint, or from the mean of several. */
@Command(
    name = "ship",
    mixinStandardHelpOptions = true,
    description = {
      "Write a model folder for shipping or embedding: the weights without the optimiser state, with",
      "config.json and provenance.json (how testdata/model was made).",
      "With several checkpoints (--average-last N, or --checkpoint given more than once) the weights",
      "are their element-wise mean (docs/MODEL.md, \"Weight averaging\"): the last checkpoints of one",
      "run, or runs fine-tuned from one model. provenance.json lists them under averagedFrom."
    })
final class ShipCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "RUN|CHECKPOINT",
      description = "A run folder (its newest checkpoint) or a checkpoint folder; repeat it to average several.")
  List<Path> checkpoints;

  @Option(names = "--average-last", paramLabel = "N", defaultValue = "1",
      description = "Average the newest N checkpoints of each run folder given (at most the run's --keep). Default: 1.")
  int averageLast;

  @Option(names = "--out", required = true, description = "The model folder to write (replaced).")
  Path out;

  @Override
  public Integer call() throws Exception {
    List<Checkpoints.Checkpoint> sources = sources(checkpoints, averageLast);
    Checkpoints.Checkpoint slim = Checkpoints.slim(sources, out);
    if (sources.size() == 1) {
      System.out.println("wrote " + slim.dir() + " from " + sources.get(0).dir() + " (step " + sources.get(0).step() + ")");
    } else {
      System.out.println("wrote " + slim.dir() + ": the mean of " + sources.size() + " checkpoints");
      sources.forEach(c -> System.out.println("  " + c.dir() + " (step " + c.step() + ")"));
    }
    return 0;
  }

  /** The checkpoints named: each run folder's newest {@code last}, each checkpoint or model folder itself. */
  static List<Checkpoints.Checkpoint> sources(List<Path> paths, int last) throws IOException {
    if (last < 1) {
      throw new IllegalArgumentException("--average-last must be at least 1, got " + last);
    }
    List<Checkpoints.Checkpoint> out = new ArrayList<>();
    for (Path p : paths) {
      List<Checkpoints.Checkpoint> all = Checkpoints.list(p);
      if (all.isEmpty()) { // a checkpoint or model folder (or an error naming p)
        out.add(Checkpoints.resolve(p));
      } else if (all.size() < last) {
        throw new IllegalArgumentException("--average-last " + last + ": " + p + " holds " + all.size()
            + " checkpoint" + (all.size() == 1 ? "" : "s") + " (newest: step " + all.get(all.size() - 1).step() + ")");
      } else {
        out.addAll(all.subList(all.size() - last, all.size()));
      }
    }
    return out;
  }
}
