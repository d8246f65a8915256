package dev.provide.train.cli;

import dev.provide.train.data.ClipFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code provide data inspect FILE}: summarise a clip file and verify every record. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Print the sequence count, frame shape and objects per sequence of a clip file, checking every record.")
final class DataInspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "A TFRecord clip file (plain or GZIP).")
  Path file;

  @Override
  public Integer call() throws Exception {
    Map<String, Long> shapes = new TreeMap<>();
    Map<Integer, Long> objects = new TreeMap<>();
    Map<String, Long> variants = new TreeMap<>();
    long[] frames = {0};
    long n =
        ClipFiles.forEach(
            file,
            c -> {
              shapes.merge(c.numFrames() + " x " + c.height() + " x " + c.width() + " x " + c.channels(), 1L, Long::sum);
              objects.merge(c.numObjects(), 1L, Long::sum);
              variants.merge(c.variant(), 1L, Long::sum);
              frames[0] += c.numFrames();
            });
    if (n == 0) {
      throw new IllegalArgumentException(file + " holds no sequences (an empty file)");
    }
    System.out.println("file        " + file);
    System.out.println("sequences   " + n + " (all records verified)");
    System.out.println("frames      " + frames[0]);
    System.out.println("shape       " + describe(shapes) + "  (frames x height x width x channels)");
    System.out.println("objects     " + describe(objects) + "  (objects per sequence: count)");
    System.out.println("variant     " + describe(variants));
    return 0;
  }

  private static String describe(Map<?, Long> m) {
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(": ").append(v));
    return b.toString();
  }
}
