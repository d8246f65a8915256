package dev.provide.train.data;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.Int64List;

/**
 * One video with its per-pixel ground truth, as stored in our TFRecord files: one
 * {@code tf.train.Example} per sequence with the features
 *
 * <pre>
 *   frames       bytes  raw uint8, F x H x W x C (row-major; C = 1 greyscale or 3 RGB)
 *   ids          bytes  raw uint8, F x H x W ground-truth object id, 0 = background
 *   num_frames   int64  F
 *   height       int64  H
 *   width        int64  W
 *   channels     int64  C
 *   num_objects  int64  objects in the sequence (ids 1..num_objects may appear)
 *   variant      bytes  UTF-8 data-set label, e.g. "binary", "colour", "tetrominoes"
 *   seed         int64  the seed that generated it (0 for imported data)
 * </pre>
 *
 * @param frames F x H x W x C bytes
 * @param ids F x H x W bytes
 */
public record ClipRecord(
    byte[] frames,
    byte[] ids,
    int numFrames,
    int height,
    int width,
    int channels,
    int numObjects,
    String variant,
    long seed) {

  /** Checks that the arrays match the shape. */
  public ClipRecord {
    if (numFrames < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "a clip needs at least one frame of at least 1 x 1 pixels, got " + numFrames + " x " + height + " x " + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    long pixels = (long) numFrames * height * width;
    if (frames.length != pixels * channels) {
      throw new IllegalArgumentException(
          "frames hold " + frames.length + " bytes, the shape needs " + pixels * channels);
    }
    if (ids.length != pixels) {
      throw new IllegalArgumentException("ids hold " + ids.length + " bytes, the shape needs " + pixels);
    }
    if (numObjects < 0) {
      throw new IllegalArgumentException("num_objects must be >= 0, got " + numObjects);
    }
    for (int i = 0; i < ids.length; i++) {
      if ((ids[i] & 0xff) > numObjects) {
        throw new IllegalArgumentException("object id " + (ids[i] & 0xff) + " at pixel " + i + " is above num_objects "
            + numObjects + " (ids run 1..num_objects; files imported by an older provide may need importing again)");
      }
    }
  }

  /** Pixels per frame. */
  public int pixels() {
    return height * width;
  }

  /** Serialises as a tf.train.Example (see the class comment for the schema). */
  public byte[] toExampleBytes() {
    Features.Builder f = Features.newBuilder();
    f.putFeature("frames", bytes(UnsafeByteOperations.unsafeWrap(frames)));
    f.putFeature("ids", bytes(UnsafeByteOperations.unsafeWrap(ids)));
    f.putFeature("num_frames", int64(numFrames));
    f.putFeature("height", int64(height));
    f.putFeature("width", int64(width));
    f.putFeature("channels", int64(channels));
    f.putFeature("num_objects", int64(numObjects));
    f.putFeature("variant", bytes(ByteString.copyFrom(variant, StandardCharsets.UTF_8)));
    f.putFeature("seed", int64(seed));
    return Example.newBuilder().setFeatures(f).build().toByteArray();
  }

  private static Feature bytes(ByteString b) {
    return Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(b)).build();
  }

  private static Feature int64(long v) {
    return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
  }

  /**
   * Parses a serialised tf.train.Example.
   *
   * @throws IllegalArgumentException naming the missing or inconsistent feature
   */
  public static ClipRecord fromExampleBytes(byte[] data) {
    Example example;
    try {
      example = Example.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a tf.train.Example: " + e.getMessage());
    }
    Map<String, Feature> f = example.getFeatures().getFeatureMap();
    return new ClipRecord(
        bytesOf(f, "frames").toByteArray(),
        bytesOf(f, "ids").toByteArray(),
        intOf(f, "num_frames"),
        intOf(f, "height"),
        intOf(f, "width"),
        intOf(f, "channels"),
        intOf(f, "num_objects"),
        f.containsKey("variant") ? bytesOf(f, "variant").toStringUtf8() : "unknown",
        f.containsKey("seed") ? longOf(f, "seed") : 0L);
  }

  private static ByteString bytesOf(Map<String, Feature> f, String name) {
    Feature v = f.get(name);
    if (v == null || !v.hasBytesList() || v.getBytesList().getValueCount() != 1) {
      throw new IllegalArgumentException("missing bytes feature '" + name + "' (not a clip file?)");
    }
    return v.getBytesList().getValue(0);
  }

  private static long longOf(Map<String, Feature> f, String name) {
    Feature v = f.get(name);
    if (v == null || !v.hasInt64List() || v.getInt64List().getValueCount() != 1) {
      throw new IllegalArgumentException("missing int64 feature '" + name + "' (not a clip file?)");
    }
    return v.getInt64List().getValue(0);
  }

  private static int intOf(Map<String, Feature> f, String name) {
    long v = longOf(f, name);
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("feature '" + name + "' out of range: " + v);
    }
    return (int) v;
  }

  /** Frames from {@code start} (inclusive), {@code count} of them, as a new clip. */
  public ClipRecord window(int start, int count) {
    if (start < 0 || count < 1 || start + count > numFrames) {
      throw new IllegalArgumentException(
          "window [" + start + ", " + (start + count) + ") outside a clip of " + numFrames + " frames");
    }
    int fb = pixels() * channels, ib = pixels();
    byte[] fr = java.util.Arrays.copyOfRange(frames, start * fb, (start + count) * fb);
    byte[] id = java.util.Arrays.copyOfRange(ids, start * ib, (start + count) * ib);
    return new ClipRecord(fr, id, count, height, width, channels, numObjects, variant, seed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClipRecord c
        && java.util.Arrays.equals(frames, c.frames)
        && java.util.Arrays.equals(ids, c.ids)
        && numFrames == c.numFrames
        && height == c.height
        && width == c.width
        && channels == c.channels
        && numObjects == c.numObjects
        && variant.equals(c.variant)
        && seed == c.seed;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(java.util.Arrays.hashCode(frames), java.util.Arrays.hashCode(ids), numFrames, variant, seed);
  }

  @Override
  public String toString() {
    return "ClipRecord[" + numFrames + " x " + height + " x " + width + " x " + channels + ", "
        + numObjects + " objects, " + variant + ", seed " + seed + "]";
  }
}
