package dev.provide.train.data;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Training batches streamed from one or more clip files, with memory bounded by a shuffle buffer
 * of clips instead of growing with the data.
 *
 * <p>The files' sequences, in file order, are numbered 0, 1, ...; the first {@code trainCount}
 * are for training (the rest may be held out). Worker w of W takes sequences w, w + W, w + 2W,
 * ...: its shard, read in order and again from the start at its end (epochs). The shuffle buffer
 * holds {@code bufferSize} clips; each window of a batch comes from a random slot of the buffer
 * (at a random start), and the slot is refilled with the shard's next clip. Only the buffer's
 * clips are decoded and kept; the other records are read past.
 *
 * <p>Window g depends only on the seed and g: {@link #skipTo} replays the buffer's choices on
 * stream positions alone (no reading), then reads the clips the buffer holds at that point, so a
 * resumed run sees the windows of an uninterrupted one.
 */
public final class ClipStream implements TrainingBatches {
  /**
   * Clip files and how many sequences each holds.
   *
   * @param paths the files, in order
   * @param counts sequences in each
   */
  public record Sources(List<Path> paths, long[] counts) {
    /** Reads every file once to count (and check) its records. */
    public static Sources scan(List<Path> paths) throws IOException {
      long[] counts = new long[paths.size()];
      for (int i = 0; i < paths.size(); i++) {
        try (TfRecordReader r = TfRecordReader.open(paths.get(i))) {
          while (r.next() != null) {
            counts[i]++;
          }
        }
      }
      return new Sources(List.copyOf(paths), counts);
    }

    /** Sequences in all files. */
    public long total() {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      return n;
    }

    /** Sequences {@code from .. total - 1}, decoded (the held-out tail). */
    public List<ClipRecord> tail(long from) throws IOException {
      List<ClipRecord> out = new ArrayList<>();
      long index = 0;
      for (int f = 0; f < paths.size(); f++) {
        if (index + counts[f] <= from) {
          index += counts[f];
          continue;
        }
        try (TfRecordReader r = TfRecordReader.open(paths.get(f))) {
          for (byte[] data; (data = r.next()) != null; index++) {
            if (index >= from) {
              out.add(parse(data, paths.get(f), r.index() - 1));
            }
          }
        }
      }
      return out;
    }
  }

  /**
   * The files a {@code --data} argument names: the file itself, or, when its last part holds a glob
   * ({@code *}, {@code ?}, {@code [...]}, <code>{a,b}</code>), the matching files of its folder in name order.
   *
   * @throws IllegalArgumentException when nothing matches
   */
  public static List<Path> expand(Path pattern) throws IOException {
    String name = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
    if (!name.matches(".*[*?\\[{].*")) {
      return List.of(pattern);
    }
    Path dir = pattern.toAbsolutePath().getParent();
    if (dir.toString().matches(".*[*?\\[{].*")) {
      throw new IllegalArgumentException(pattern + ": only the file name may hold a pattern, not the folders");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(pattern + ": no such folder " + dir);
    }
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + name);
    List<Path> out;
    try (Stream<Path> files = Files.list(dir)) {
      out = files.filter(p -> Files.isRegularFile(p) && m.matches(p.getFileName())).sorted().toList();
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no file matches " + pattern);
    }
    Path parent = pattern.getParent();
    return out.stream().map(p -> parent == null ? p.getFileName() : parent.resolve(p.getFileName())).toList();
  }

  private final Sources sources;
  private final long trainCount;
  private final int worker, workers;
  private final int window, batchSize, frameSize;
  private final long seed;
  /** Sequences in this worker's shard. */
  private final long shard;
  /** The stream position each buffer slot holds (position p is shard sequence p mod shard). */
  private final long[] slots;
  private final ClipRecord[] held;
  private long nextPosition;
  private long drawn;
  private Reader reader;

  /**
   * Opens the stream at its start.
   *
   * @param trainCount the first this many sequences of the files are for training
   * @param worker this worker's index, 0 alone
   * @param workers workers sharing the data, 1 alone
   * @param window frames per training window
   * @param bufferSize clips in the shuffle buffer (fewer when the shard is smaller)
   * @param frameSize the model's frame size: every clip must be frameSize x frameSize
   */
  public ClipStream(Sources sources, long trainCount, int worker, int workers, int window, int batchSize, int bufferSize,
      long seed, int frameSize) throws IOException {
    if (workers < 1 || worker < 0 || worker >= workers) {
      throw new IllegalArgumentException("worker " + worker + " of " + workers);
    }
    if (window < 1 || batchSize < 1 || bufferSize < 1) {
      throw new IllegalArgumentException("window, batch size and shuffle buffer must be >= 1");
    }
    if (trainCount < 0 || trainCount > sources.total()) {
      throw new IllegalArgumentException("training sequences " + trainCount + " outside 0.." + sources.total());
    }
    this.sources = sources;
    this.trainCount = trainCount;
    this.worker = worker;
    this.workers = workers;
    this.window = window;
    this.batchSize = batchSize;
    this.frameSize = frameSize;
    this.seed = seed;
    this.shard = trainCount > worker ? (trainCount - worker + workers - 1) / workers : 0;
    if (shard == 0) {
      throw new IllegalArgumentException("worker " + worker + " has no training sequence: the data holds " + trainCount
          + " for " + workers + " workers");
    }
    int size = (int) Math.min(bufferSize, shard);
    this.slots = new long[size];
    this.held = new ClipRecord[size];
    skipTo(0);
  }

  /** Clips the buffer holds. */
  public int bufferSize() {
    return slots.length;
  }

  @Override
  public void skipTo(long batchIndex) throws IOException {
    if (batchIndex < 0) {
      throw new IllegalArgumentException("batch index must be >= 0");
    }
    closeReader();
    long until = batchIndex * batchSize;
    for (int k = 0; k < slots.length; k++) {
      slots[k] = k;
    }
    nextPosition = slots.length;
    for (long g = 0; g < until; g++) {
      slots[slot(g)] = nextPosition++;
    }
    drawn = until;
    // The clips of the buffer's positions, in one pass over the shard, then a reader at the next position.
    Map<Long, List<Integer>> wanted = new HashMap<>();
    long last = 0;
    for (int k = 0; k < slots.length; k++) {
      long r = slots[k] % shard;
      wanted.computeIfAbsent(r, x -> new ArrayList<>()).add(k);
      last = Math.max(last, r);
    }
    try (Reader pass = new Reader()) {
      for (long r = 0; r <= last; r++) {
        List<Integer> ks = wanted.get(r);
        if (ks == null) {
          pass.skip();
        } else {
          ClipRecord c = pass.next();
          ks.forEach(k -> held[k] = c);
        }
      }
    }
    reader = new Reader();
    for (long r = 0; r < nextPosition % shard; r++) {
      reader.skip();
    }
  }

  @Override
  public ClipBatches.Batch next() throws IOException {
    int h = frameSize, w = frameSize;
    float[] frames = new float[batchSize * window * h * w * 3];
    int[] ids = new int[batchSize * window * h * w];
    for (int b = 0; b < batchSize; b++) {
      long g = drawn++;
      SplittableRandom rnd = random(g);
      int k = rnd.nextInt(slots.length);
      ClipRecord c = held[k];
      ClipBatches.copy(c, rnd.nextInt(c.numFrames() - window + 1), window, frames, ids, b);
      slots[k] = nextPosition++;
      held[k] = reader.next();
    }
    return new ClipBatches.Batch(frames, ids, batchSize, window, h, w);
  }

  @Override
  public void close() throws IOException {
    closeReader();
  }

  private void closeReader() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
    }
  }

  /** The buffer slot window g takes. */
  private int slot(long g) {
    return random(g).nextInt(slots.length);
  }

  private SplittableRandom random(long g) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + g);
  }

  private static ClipRecord parse(byte[] data, Path file, long record) throws CorruptRecordException {
    try {
      return ClipRecord.fromExampleBytes(data);
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException(file, record, e.getMessage());
    }
  }

  /** This worker's shard, sequence by sequence, from the start again after its end. */
  private final class Reader implements AutoCloseable {
    private int file = -1;
    private TfRecordReader in;
    private long index; // the next sequence's number in the files

    /** The next sequence of the shard, decoded and checked. */
    ClipRecord next() throws IOException {
      byte[] data = advance();
      ClipRecord c = parse(data, in.file(), in.index() - 1);
      if (c.height() != frameSize || c.width() != frameSize) {
        throw new IllegalArgumentException(String.format("the model takes %dx%d frames; sequence %d of %s has %dx%d",
            frameSize, frameSize, in.index() - 1, in.file(), c.height(), c.width()));
      }
      if (c.numFrames() < window) {
        throw new IllegalArgumentException("sequence " + (in.index() - 1) + " of " + in.file() + " has " + c.numFrames()
            + " frames, fewer than the training window of " + window);
      }
      return c;
    }

    /** Reads past the next sequence of the shard without decoding it. */
    void skip() throws IOException {
      advance();
    }

    /** The bytes of the shard's next sequence. */
    private byte[] advance() throws IOException {
      while (true) {
        if (index >= trainCount) {
          restart();
        }
        byte[] data = in == null ? null : in.next();
        if (data == null) {
          openNext();
          continue;
        }
        long i = index++;
        if (i % workers == worker) {
          return data;
        }
      }
    }

    private void restart() throws IOException {
      close();
      file = -1;
      index = 0;
    }

    private void openNext() throws IOException {
      close();
      file++;
      if (file >= sources.paths().size()) {
        throw new IOException("the clip files ended after " + index + " sequences; they held " + sources.total()
            + " when training started (changed while training?)");
      }
      in = TfRecordReader.open(sources.paths().get(file));
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
        in = null;
      }
    }
  }
}
