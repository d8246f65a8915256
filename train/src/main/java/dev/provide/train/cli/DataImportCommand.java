package dev.provide.train.cli;

import dev.provide.train.data.Variant;
import dev.provide.train.data.importers.Crop;
import dev.provide.train.data.importers.FramesImporter;
import dev.provide.train.data.importers.ImportSink;
import dev.provide.train.data.importers.MultiObjectImporter;
import dev.provide.train.data.importers.RnemImporter;
import dev.provide.train.Progress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code provide data import ...}: convert the formats users already have into clip files. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Convert R-NEM HDF5, DeepMind multi-object TFRecords or folders of frames into a clip file.",
    subcommands = {
      DataImportCommand.Rnem.class,
      DataImportCommand.MultiObject.class,
      DataImportCommand.Frames.class,
      CommandLine.HelpCommand.class
    })
final class DataImportCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every importer shares. */
  static final class Output {
    @Option(names = "--out", required = true, description = "Output clip file (written atomically).")
    Path out;

    @Option(names = "--limit", defaultValue = "9223372036854775807", description = "Import at most this many sequences.")
    long limit;

    @Option(names = "--gzip", description = "GZIP-compress the output.")
    boolean gzip;
  }

  /** Crop and resize options of the image importers. */
  static final class CropOptions {
    @Option(names = "--crop", description = "top,left,height,width or 'centre' (the largest centred square).")
    String crop;

    @Option(names = "--size", defaultValue = "0", description = "Resize to SIZE x SIZE after cropping (0 = keep).")
    int size;

    Crop parse() {
      return Crop.parse(crop, size);
    }
  }

  /** Runs an import with a progress bar (open-ended count) and reports. */
  interface Job {
    long run(ImportSink sink) throws Exception;
  }

  static int runImport(Output o, String what, Job job) throws Exception {
    long start = System.nanoTime();
    long n;
    try (ProgressBar bar = Progress.bar("Importing", -1, "seq");
        ImportSink sink = new ImportSink(o.out, o.gzip, bar::step)) {
      n = job.run(sink);
      sink.commit();
    }
    System.out.printf("imported %d sequences from %s to %s in %.1f s%n", n, what, o.out, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  @Command(name = "rnem", mixinStandardHelpOptions = true,
      description = "R-NEM Bouncing Balls HDF5 (balls4mass64.h5, balls678mass64.h5, balls3curtain64.h5).")
  static final class Rnem implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.h5")
    Path file;

    @Option(names = "--split", defaultValue = "test", description = "training, validation or test. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--variant", defaultValue = "binary", description = "binary (as stored) or colour (balls painted by id). Default: ${DEFAULT-VALUE}.")
    String variant;

    @CommandLine.Mixin Output output;

    @Override
    public Integer call() throws Exception {
      Variant v = Variant.parse(variant);
      return runImport(output, file + " (" + split + ")", sink -> RnemImporter.importSplit(file, split, v, output.limit, sink, System.err::println));
    }
  }

  @Command(name = "multi-object", mixinStandardHelpOptions = true,
      description = "DeepMind multi-object TFRecords (GZIP): each image becomes a one-frame clip, ids from the masks.")
  static final class MultiObject implements Callable<Integer> {
    @Parameters(paramLabel = "FILE.tfrecords")
    Path file;

    @Option(names = "--dataset", required = true, description = "tetrominoes, multi_dsprites, clevr_with_masks or objects_room.")
    String dataset;

    @CommandLine.Mixin CropOptions crop;

    @CommandLine.Mixin Output output;

    @Override
    public Integer call() throws Exception {
      MultiObjectImporter.DataSet set = MultiObjectImporter.DataSet.parse(dataset);
      Crop c = crop.parse();
      return runImport(output, file.toString(), sink -> MultiObjectImporter.importFile(file, set, c, output.limit, sink));
    }
  }

  @Command(name = "frames", mixinStandardHelpOptions = true,
      description = {"Video files (MP4 or MOV with H.264, decoded in Java) or folders of numbered PNG/JPEG frames, one",
          "folder per video; DIR is one video or a folder of them. Ground truth from a parallel folder of",
          "colour-coded PNG masks (--masks, frame folders only) or CLEVRER's mask JSON files (--clevrer-masks),",
          "matched by the number in the video's name. Other video formats: extract frames first",
          "(ffmpeg -i clip.avi DIR/%%05d.png)."})
  static final class Frames implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "A video file, a folder of frames, or a folder of either.")
    Path dir;

    @Option(names = "--masks", description = "Folder of colour-coded mask PNGs, same layout as DIR (black = background).")
    Path masks;

    @Option(names = "--clevrer-masks", description = "Folder of CLEVRER mask JSON files (COCO RLE), matched by video number.")
    Path clevrerMasks;

    @CommandLine.Mixin CropOptions crop;

    @Option(names = "--max-frames", defaultValue = "0", description = "At most this many frames per video (0 = all).")
    int maxFrames;

    @CommandLine.Mixin Output output;

    @Override
    public Integer call() throws Exception {
      if (masks != null && clevrerMasks != null) {
        throw new IllegalArgumentException("give --masks or --clevrer-masks, not both");
      }
      FramesImporter.MaskSource source = masks != null ? FramesImporter.MaskSource.COLOUR_PNG
          : clevrerMasks != null ? FramesImporter.MaskSource.CLEVRER_JSON : FramesImporter.MaskSource.NONE;
      Path m = masks != null ? masks : clevrerMasks;
      Crop c = crop.parse();
      return runImport(output, dir.toString(), sink -> FramesImporter.importFolders(dir, m, source, c, maxFrames, output.limit, sink));
    }
  }
}
