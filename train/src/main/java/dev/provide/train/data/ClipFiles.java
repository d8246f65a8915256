package dev.provide.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Reads and writes files of {@link ClipRecord}s. */
public final class ClipFiles {
  private ClipFiles() {}

  /**
   * Calls {@code sink} with every clip of the file, in order, verifying every record.
   *
   * @return the number of clips
   * @throws CorruptRecordException naming the file and record for a bad record
   */
  public static long forEach(Path file, Consumer<ClipRecord> sink) throws IOException {
    return forEach(file, Long.MAX_VALUE, sink);
  }

  /** As {@link #forEach(Path, Consumer)} for at most {@code limit} clips. */
  public static long forEach(Path file, long limit, Consumer<ClipRecord> sink) throws IOException {
    try (TfRecordReader reader = TfRecordReader.open(file)) {
      byte[] data;
      long n = 0;
      while (n < limit && (data = reader.next()) != null) {
        ClipRecord clip;
        try {
          clip = ClipRecord.fromExampleBytes(data);
        } catch (IllegalArgumentException e) {
          throw new CorruptRecordException(file, n, e.getMessage());
        }
        sink.accept(clip);
        n++;
      }
      return n;
    }
  }

  /** The clip at {@code index} (0-based), reading only up to it. */
  public static ClipRecord readOne(Path file, long index) throws IOException {
    if (index < 0) {
      throw new IllegalArgumentException("the sequence index must be >= 0, got " + index);
    }
    ClipRecord[] found = new ClipRecord[1];
    long n = forEach(file, index + 1, c -> found[0] = c);
    if (n <= index) {
      throw new IllegalArgumentException(file + " has " + n + " sequences; there is no index " + index);
    }
    return found[0];
  }

  /** Reads at most {@code limit} clips into memory. */
  public static List<ClipRecord> read(Path file, long limit) throws IOException {
    List<ClipRecord> out = new ArrayList<>();
    forEach(file, limit, out::add);
    if (out.isEmpty()) {
      throw new IOException(file + " holds no clips");
    }
    return out;
  }

  /**
   * Checks that every clip has {@code size} x {@code size} frames, as a model takes them.
   *
   * @throws IllegalArgumentException naming the file, the first clip that differs and both sizes
   */
  public static void requireFrameSize(List<ClipRecord> clips, int size, Path file) {
    for (int i = 0; i < clips.size(); i++) {
      ClipRecord c = clips.get(i);
      if (c.height() != size || c.width() != size) {
        throw new IllegalArgumentException(String.format("the model takes %dx%d frames; sequence %d of %s has %dx%d",
            size, size, i, file, c.height(), c.width()));
      }
    }
  }

  /** Writes clips atomically (temporary file, then rename). */
  public static void write(Path file, Iterable<ClipRecord> clips, boolean gzip) throws IOException {
    try (TfRecordWriter w = TfRecordWriter.create(file, gzip)) {
      for (ClipRecord c : clips) {
        w.write(c.toExampleBytes());
      }
      w.commit();
    }
  }
}
