package dev.provide.train.data.importers;

import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.Palette;
import dev.provide.train.data.Variant;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Imports R-NEM's Bouncing Balls HDF5 files ({@code balls4mass64.h5}, {@code balls678mass64.h5},
 * {@code balls3curtain64.h5}): groups {@code training}, {@code validation}, {@code test}, each
 * with datasets {@code features} (F x N x H x W x 1, binary) and {@code groups} (F x N x H x W x 1,
 * ball id, 0 = background). Sequences are read one at a time (hyperslabs), so files far larger
 * than memory import. Read with jhdf, a maintained pure-Java HDF5 library.
 */
public final class RnemImporter {
  private RnemImporter() {}

  /**
   * Imports sequences of one split.
   *
   * @param variant {@link Variant#BINARY} keeps the greyscale frames; {@link Variant#COLOUR}
   *     paints every ball by its id with the paper's palette
   * @param limit at most this many sequences
   * @return sequences imported
   */
  public static long importSplit(Path file, String split, Variant variant, long limit, Consumer<ClipRecord> sink) throws IOException {
    return importSplit(file, split, variant, limit, sink, warning -> {});
  }

  /**
   * Imports sequences of one split, and tells {@code warnings} when the file is shorter than its
   * HDF5 superblock says: a download cut short can still hold the whole requested split while
   * the rest of the file is lost.
   */
  public static long importSplit(Path file, String split, Variant variant, long limit, Consumer<ClipRecord> sink,
      Consumer<String> warnings) throws IOException {
    if (variant != Variant.BINARY && variant != Variant.COLOUR) {
      throw new IllegalArgumentException("R-NEM import supports --variant binary or colour, got " + variant);
    }
    try (HdfFile h5 = new HdfFile(file)) {
      long expected = h5.getUserBlockSize() + h5.getHdfBackingStorage().getSuperblock().getEndOfFileAddress();
      long actual = java.nio.file.Files.size(file);
      if (actual < expected) {
        warnings.accept("warning: " + file + " is " + actual + " bytes, shorter than the " + expected
            + " its HDF5 header says: the file looks cut short (an interrupted download?); what could be read of '"
            + split + "' is imported, other parts of the file may be lost");
      }
      Dataset features = dataset(h5, file, split, "features");
      Dataset groups = dataset(h5, file, split, "groups");
      int[] dims = features.getDimensions();
      if (dims.length != 5 || dims[4] != 1) {
        throw new IllegalArgumentException(file + ": " + split + "/features must be F x N x H x W x 1, got " + java.util.Arrays.toString(dims));
      }
      if (!java.util.Arrays.equals(dims, groups.getDimensions())) {
        throw new IllegalArgumentException(file + ": " + split + "/groups has another shape than features");
      }
      int f = dims[0], n = dims[1], h = dims[2], w = dims[3];
      long count = Math.min(limit, n);
      for (int i = 0; i < count; i++) {
        long[] offset = {0, i, 0, 0, 0};
        int[] shape = {f, 1, h, w, 1};
        double[] feat = NdArrays.flatten(features.getData(offset, shape), f * h * w);
        double[] ids = NdArrays.flatten(groups.getData(offset, shape), f * h * w);
        sink.accept(toClip(feat, ids, f, h, w, variant));
      }
      return count;
    } catch (HdfException e) {
      throw new IOException(file + ": not a readable HDF5 file (" + e.getMessage() + ")", e);
    } catch (IllegalArgumentException e) {
      throw e; // a message of ours, naming the file
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause(); // writing the import failed, not reading
    } catch (RuntimeException e) {
      // jhdf throws other exceptions on damaged files (the fuzz test found ArithmeticException).
      throw new IOException(file + ": not a readable HDF5 file (" + e + ")", e);
    }
  }

  private static Dataset dataset(HdfFile h5, Path file, String split, String name) {
    Node group = h5.getChild(split);
    if (group == null) {
      throw new IllegalArgumentException(file + " has no group '" + split + "' (R-NEM files have training, validation and test)");
    }
    // getByPath throws (an HdfException) for a missing path; the group's own children say it plainly.
    Node node = group instanceof io.jhdf.api.Group g ? g.getChildren().get(name) : null;
    if (!(node instanceof Dataset d)) {
      throw new IllegalArgumentException(file + " has no dataset " + split + "/" + name);
    }
    return d;
  }

  static ClipRecord toClip(double[] features, double[] ids, int f, int h, int w, Variant variant) {
    int p = f * h * w;
    byte[] idBytes = new byte[p];
    int objects = 0;
    for (int i = 0; i < p; i++) {
      int id = (int) Math.round(ids[i]);
      if (id < 0 || id > 255) {
        throw new IllegalArgumentException("ground-truth id " + id + " outside 0..255");
      }
      idBytes[i] = (byte) id;
      objects = Math.max(objects, id);
    }
    byte[] frames;
    if (variant == Variant.BINARY) {
      frames = new byte[p];
      double max = 0;
      for (double v : features) {
        max = Math.max(max, v);
      }
      double scale = max > 1.5 ? 1 : 255; // values in [0, 1] or already 0..255
      for (int i = 0; i < p; i++) {
        frames[i] = (byte) Math.max(0, Math.min(255, Math.round(features[i] * scale)));
      }
    } else {
      frames = new byte[p * 3];
      for (int i = 0; i < p; i++) {
        int id = idBytes[i] & 0xff;
        if (id > 0) {
          int[] rgb = Palette.ballColour(Variant.COLOUR, id);
          frames[i * 3] = (byte) rgb[0];
          frames[i * 3 + 1] = (byte) rgb[1];
          frames[i * 3 + 2] = (byte) rgb[2];
        }
      }
    }
    return new ClipRecord(frames, idBytes, f, h, w, variant.channels(), objects, "rnem-" + variant.label(), 0);
  }
}
