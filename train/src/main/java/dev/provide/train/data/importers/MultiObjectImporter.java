package dev.provide.train.data.importers;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.CorruptRecordException;
import dev.provide.train.data.TfRecordReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;

/**
 * Imports DeepMind's multi-object data sets (IODINE's benchmarks): GZIP TFRecords of
 * tf.train.Example with {@code image} (uint8 H x W x 3) and {@code mask} (uint8 (objects + 1) x H x
 * W x 1, entity 0 the background). DeepMind's readers declare them as
 * {@code FixedLenFeature(shape, tf.string)} and decode every element with {@code decode_raw}, so the
 * bytes come as one single-byte string per element; one string holding all bytes is accepted too.
 * Each image becomes a one-frame clip; the id of a pixel is the entity whose mask is largest there.
 */
public final class MultiObjectImporter {
  /** A data set's fixed shapes: height, width and masks per image (background included). */
  public enum DataSet {
    TETROMINOES(35, 35, 4),
    MULTI_DSPRITES(64, 64, 6),
    CLEVR_WITH_MASKS(240, 320, 11),
    OBJECTS_ROOM(64, 64, 7);

    final int height, width, entities;

    DataSet(int height, int width, int entities) {
      this.height = height;
      this.width = width;
      this.entities = entities;
    }

    /** The command-line name, e.g. "multi_dsprites". */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a data-set name (dashes or underscores). */
    public static DataSet parse(String s) {
      String t = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (DataSet d : values()) {
        if (d.name().equals(t)) {
          return d;
        }
      }
      throw new IllegalArgumentException("unknown data set '" + s + "': use tetrominoes, multi_dsprites, clevr_with_masks or objects_room");
    }
  }

  private MultiObjectImporter() {}

  /** Imports at most {@code limit} images. */
  public static long importFile(Path file, DataSet set, Crop crop, long limit, Consumer<ClipRecord> sink) throws IOException {
    long n = 0;
    try (TfRecordReader reader = TfRecordReader.open(file)) {
      byte[] record;
      while (n < limit && (record = reader.next()) != null) {
        try {
          sink.accept(toClip(Example.parseFrom(record), set, crop));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
          throw new CorruptRecordException(file, n, e.getMessage());
        }
        n++;
      }
    }
    return n;
  }

  static ClipRecord toClip(Example ex, DataSet set, Crop crop) {
    int h = set.height, w = set.width, e = set.entities, p = h * w;
    byte[] image = bytes(ex, "image", p * 3);
    byte[] mask = bytes(ex, "mask", e * p);
    byte[] ids = new byte[p];
    boolean[] present = new boolean[e];
    for (int q = 0; q < p; q++) {
      int best = 0;
      for (int k = 1; k < e; k++) {
        if ((mask[k * p + q] & 0xff) > (mask[best * p + q] & 0xff)) {
          best = k;
        }
      }
      ids[q] = (byte) best;
      present[best] = true;
    }
    // Entities present are numbered 1..objects in entity order (the data sets number entities
    // with gaps: an entity slot may be empty), so that ids never exceed num_objects.
    int objects = 0;
    byte[] renumber = new byte[e];
    for (int k = 1; k < e; k++) {
      if (present[k]) {
        renumber[k] = (byte) ++objects;
      }
    }
    for (int q = 0; q < p; q++) {
      ids[q] = renumber[ids[q] & 0xff];
    }
    int[] out = crop.outputSize(h, w);
    return new ClipRecord(Resampling.frame(image, h, w, crop), Resampling.ids(ids, h, w, crop), 1, out[0], out[1], 3,
        objects, set.label(), 0);
  }

  /** A bytes feature of {@code size} bytes, stored either as one string or one string per byte. */
  static byte[] bytes(Example ex, String name, int size) {
    Feature f = ex.getFeatures().getFeatureMap().get(name);
    if (f == null || !f.hasBytesList()) {
      throw new IllegalArgumentException("missing bytes feature '" + name + "' (is this the right --dataset?)");
    }
    BytesList list = f.getBytesList();
    if (list.getValueCount() == 1 && list.getValue(0).size() == size) {
      return list.getValue(0).toByteArray();
    }
    if (list.getValueCount() == size) {
      byte[] out = new byte[size];
      for (int i = 0; i < size; i++) {
        ByteString b = list.getValue(i);
        if (b.size() != 1) {
          throw new IllegalArgumentException("feature '" + name + "' element " + i + " has " + b.size() + " bytes, expected 1");
        }
        out[i] = b.byteAt(0);
      }
      return out;
    }
    long total = 0;
    for (ByteString b : list.getValueList()) {
      total += b.size();
    }
    throw new IllegalArgumentException("feature '" + name + "' holds " + total + " bytes; this data set needs " + size
        + " (wrong --dataset?)");
  }
}
