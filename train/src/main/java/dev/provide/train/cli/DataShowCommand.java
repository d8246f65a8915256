package dev.provide.train.cli;

import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.render.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code provide data show FILE --index i --out strip.png}. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description = "Write a PNG strip of a sequence's frames (top) and ground-truth ids (bottom, one colour per object).")
final class DataShowCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "A TFRecord clip file.")
  Path file;

  @Option(names = "--index", defaultValue = "0", description = "Which sequence (0-based). Default: ${DEFAULT-VALUE}.")
  long index;

  @Option(names = "--frames", defaultValue = "10", description = "At most this many frames. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--scale", defaultValue = "2", description = "Pixel magnification. Default: ${DEFAULT-VALUE}.")
  int scale;

  @Option(names = "--out", required = true, description = "Output PNG.")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (index < 0 || frames < 1 || scale < 1) {
      throw new IllegalArgumentException("--index must be >= 0, --frames and --scale >= 1");
    }
    ClipRecord c = ClipFiles.readOne(file, index);
    int f = Math.min(frames, c.numFrames());
    BufferedImage[][] grid = new BufferedImage[2][f];
    for (int t = 0; t < f; t++) {
      grid[0][t] = Images.frame(c, t);
      grid[1][t] = Images.ids(c.ids(), t * c.pixels(), c.height(), c.width());
    }
    try (dev.provide.ops.OutputFolder folder = dev.provide.ops.OutputFolder.create(out.toAbsolutePath().getParent())) {
      Images.writePng(Images.grid(grid, scale, 2), out);
      folder.done();
    }
    System.out.println("wrote " + out + " (" + f + " frames of sequence " + index + ")");
    return 0;
  }
}
