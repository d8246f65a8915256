package dev.provide.train.data.importers;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.provide.train.data.Variant;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the importers' readers (the clip-file and configuration readers are
 * in {@code ReaderFuzzTest}): each mutant of a valid input imports or fails with an IOException or
 * IllegalArgumentException that has a message, never another exception.
 */
class ImporterFuzzTest {
  private static final int CASES = 600;
  private static final int VIDEO_CASES = Integer.getInteger("fuzz.video", 600);

  @TempDir Path dir;

  /** Runs one case; an unexpected exception fails the test with the case number. */
  private interface Case {
    void run() throws Exception;
  }

  private static void expectCleanOutcome(String what, int i, Case c) {
    try {
      c.run();
    } catch (IOException | IllegalArgumentException e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + " case " + i + ": an error without a message: " + e);
    } catch (Exception | OutOfMemoryError | StackOverflowError e) {
      fail(what + " case " + i + ": " + e, e);
    }
  }

  @Test
  void multiObjectTfRecordsImportOrFailCleanly() throws IOException {
    Path valid = dir.resolve("valid.tfrecords");
    try (dev.provide.train.data.TfRecordWriter w = dev.provide.train.data.TfRecordWriter.create(valid, true)) {
      w.write(MultiObjectImporterTest.example(false).toByteArray());
      w.write(MultiObjectImporterTest.example(true).toByteArray());
      w.commit();
    }
    byte[] bytes = Files.readAllBytes(valid);
    byte[] payload = MultiObjectImporterTest.example(false).toByteArray();
    Random rnd = new Random(31);
    Path f = dir.resolve("mutant.tfrecords");
    for (int i = 0; i < CASES; i++) {
      if (i % 2 == 0) {
        Files.write(f, dev.provide.train.data.ReaderFuzzTestAccess.mutate(bytes, rnd));
      } else {
        // Valid framing around a mutated tf.train.Example: reaches the feature parser.
        try (dev.provide.train.data.TfRecordWriter w = dev.provide.train.data.TfRecordWriter.create(f, false)) {
          w.write(dev.provide.train.data.ReaderFuzzTestAccess.mutate(payload, rnd));
          w.commit();
        }
      }
      expectCleanOutcome("multi-object", i,
          () -> MultiObjectImporter.importFile(f, MultiObjectImporter.DataSet.TETROMINOES, Crop.none(), 10, c -> {}));
    }
  }

  @Test
  void videoFilesImportOrFailCleanly() throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("..", "testdata", "video", "clip_10.mp4"));
    Random rnd = new Random(33);
    Path f = dir.resolve("mutant.mp4");
    for (int i = 0; i < VIDEO_CASES; i++) {
      Files.write(f, dev.provide.train.data.ReaderFuzzTestAccess.mutate(bytes, rnd));
      expectCleanOutcome("MP4 video", i,
          () -> FramesImporter.importFolders(f, null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
    }
  }

  @Test
  void rnemHdf5FilesImportOrFailCleanly() throws IOException {
    byte[] bytes = Files.readAllBytes(RnemImporterTest.rnemFile(dir));
    Random rnd = new Random(32);
    Path f = dir.resolve("mutant.h5");
    for (int i = 0; i < CASES; i++) {
      Files.write(f, dev.provide.train.data.ReaderFuzzTestAccess.mutate(bytes, rnd));
      expectCleanOutcome("R-NEM HDF5", i, () -> RnemImporter.importSplit(f, "test", Variant.BINARY, 100, c -> {}));
    }
  }

  @Test
  void cocoRunLengthsDecodeOrFailCleanly() {
    byte[] valid = "5:1H".getBytes(StandardCharsets.US_ASCII); // a 3 x 6 mask (CocoRleTest)
    Random rnd = new Random(33);
    for (int i = 0; i < CASES * 4; i++) {
      String counts = new String(dev.provide.train.data.ReaderFuzzTestAccess.mutate(valid, rnd), StandardCharsets.ISO_8859_1);
      expectCleanOutcome("COCO RLE", i, () -> CocoRle.decode(counts, 3, 6));
    }
  }

  @Test
  void pngFramesImportOrFailCleanly() throws IOException {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 3, 0xffffff);
    Path frames = dir.resolve("frames").resolve("video_0");
    Files.createDirectories(frames);
    Path valid = dir.resolve("valid.png");
    ImageIO.write(img, "png", valid.toFile());
    byte[] bytes = Files.readAllBytes(valid);
    Random rnd = new Random(34);
    for (int i = 0; i < CASES / 2; i++) {
      Files.write(frames.resolve("frame_0.png"), bytes);
      Files.write(frames.resolve("frame_1.png"), dev.provide.train.data.ReaderFuzzTestAccess.mutate(bytes, rnd));
      expectCleanOutcome("PNG frames", i, () -> FramesImporter.importFolders(dir.resolve("frames"), null,
          FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
    }
  }
}
