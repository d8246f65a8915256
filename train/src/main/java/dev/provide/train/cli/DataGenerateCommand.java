package dev.provide.train.cli;

import dev.provide.train.data.BallsGenerator;
import dev.provide.train.data.BallsSimulator;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.TfRecordWriter;
import dev.provide.train.data.Variant;
import dev.provide.train.Progress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code provide data generate}: Bouncing Balls sequences into a TFRecord file. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generate Bouncing Balls sequences (the R-NEM benchmark) into a TFRecord clip file.",
      "The same settings and seed give the same bytes."
    })
final class DataGenerateCommand implements Callable<Integer> {
  @Option(names = "--balls", defaultValue = "4", description = "Balls per sequence: a number (4) or a range (6-8). Default: ${DEFAULT-VALUE}.")
  String balls;

  @Option(names = "--variant", defaultValue = "binary", description = "binary, colour, four-colours or curtain. Default: ${DEFAULT-VALUE}.")
  String variant;

  @Option(names = "--frames", defaultValue = "51", description = "Frames per sequence. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--size", defaultValue = "64", description = "Frame height and width in pixels. Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(names = "--count", defaultValue = "1000", description = "Number of sequences. Default: ${DEFAULT-VALUE}.")
  long count;

  @Option(names = "--seed", defaultValue = "1", description = "Base seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--radius", defaultValue = "0.12", description = "Ball radius as a fraction of the frame width. Default: ${DEFAULT-VALUE}.")
  double radius;

  @Option(names = "--hard-edges", description = "Draw balls without anti-aliasing.")
  boolean hardEdges;

  @Option(names = "--substeps", defaultValue = "8", description = "Physics sub-steps per frame. Default: ${DEFAULT-VALUE}.")
  int substeps;

  @Option(names = "--threads", defaultValue = "0", description = "Generator threads (0 = all cores).")
  int threads;

  @Option(names = "--gzip", description = "GZIP-compress the file (TensorFlow's compression_type=\"GZIP\").")
  boolean gzip;

  @Option(names = "--out", required = true, description = "Output TFRecord file (written atomically).")
  Path out;

  @Override
  public Integer call() throws Exception {
    int[] range = BallsGenerator.Settings.parseBalls(balls);
    BallsSimulator.Physics defaults = BallsSimulator.Physics.defaults();
    BallsSimulator.Physics physics =
        new BallsSimulator.Physics(radius, defaults.minMass(), defaults.maxMass(), defaults.minSpeed(), defaults.maxSpeed(), substeps);
    BallsGenerator.Settings settings =
        new BallsGenerator.Settings(range[0], range[1], Variant.parse(variant), frames, size, !hardEdges, physics, seed);
    if (count < 1) {
      throw new IllegalArgumentException("--count must be >= 1, got " + count);
    }
    BallsGenerator generator = new BallsGenerator(settings);
    generator.sequence(0); // fail fast on settings the simulator refuses
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "balls-generator");
      t.setDaemon(true);
      return t;
    });
    try (TfRecordWriter writer = TfRecordWriter.create(out, gzip);
        ProgressBar bar = Progress.bar("Generating", count, "seq")) {
      Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
      long next = 0;
      while (next < count || !inFlight.isEmpty()) {
        while (next < count && inFlight.size() < 4 * n) {
          long index = next++;
          inFlight.add(pool.submit(() -> generator.sequence(index).toExampleBytes()));
        }
        writer.write(inFlight.removeFirst().get());
        bar.step();
      }
      writer.commit();
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "wrote %d sequences (%s, %s balls, %d frames of %dx%d) to %s in %.1f s%n",
        count, settings.variant(), balls, frames, size, size, out, seconds);
    return 0;
  }
}
