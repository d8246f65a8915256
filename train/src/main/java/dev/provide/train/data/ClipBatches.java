package dev.provide.train.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Batches of clips as the model takes them: frames as floats [B, n, H, W, 3] in [0, 1]
 * (greyscale repeated to three channels) and ground-truth ids [B, n, H, W].
 *
 * <p>For training, {@link #next()} draws random windows of n consecutive frames: every epoch
 * visits the clips in a new order (shuffled with the seed) and takes one random window of each.
 * Window number g (counting from the first batch) is a pure function of the seed and g, so a
 * resumed run that {@link #skipTo skips} to its step sees exactly the batches of an uninterrupted
 * one.
 * For evaluation, {@link #sequences} takes the first n frames of consecutive clips.
 */
public final class ClipBatches implements TrainingBatches {
  /**
   * One batch.
   *
   * @param frames [B, n, H, W, 3] in [0, 1]
   * @param ids [B, n, H, W]
   */
  public record Batch(float[] frames, int[] ids, int batchSize, int numFrames, int height, int width) {
    /** The shape of {@link #frames()}. */
    public long[] frameShape() {
      return new long[] {batchSize, numFrames, height, width, 3};
    }

    /** Frames {@code from .. from + count - 1} of every example, as a batch of their own. */
    public Batch frames(int from, int count) {
      if (from < 0 || count < 1 || from + count > numFrames) {
        throw new IllegalArgumentException("frames [" + from + ", " + (from + count) + ") outside 0.." + numFrames);
      }
      if (from == 0 && count == numFrames) {
        return this;
      }
      int p = height * width;
      float[] f = new float[batchSize * count * p * 3];
      int[] i = new int[batchSize * count * p];
      for (int b = 0; b < batchSize; b++) {
        System.arraycopy(frames, (b * numFrames + from) * p * 3, f, b * count * p * 3, count * p * 3);
        System.arraycopy(ids, (b * numFrames + from) * p, i, b * count * p, count * p);
      }
      return new Batch(f, i, batchSize, count, height, width);
    }

    /** Examples {@code from .. from + count - 1}, as a batch of their own. */
    public Batch rows(int from, int count) {
      if (from < 0 || count < 1 || from + count > batchSize) {
        throw new IllegalArgumentException("rows [" + from + ", " + (from + count) + ") outside 0.." + batchSize);
      }
      if (from == 0 && count == batchSize) {
        return this;
      }
      int f = numFrames * height * width;
      return new Batch(java.util.Arrays.copyOfRange(frames, from * f * 3, (from + count) * f * 3),
          java.util.Arrays.copyOfRange(ids, from * f, (from + count) * f), count, numFrames, height, width);
    }

    /** The ids of one frame of one example, H x W. */
    public int[] frameIds(int example, int frame) {
      int p = height * width;
      int from = (example * numFrames + frame) * p;
      return java.util.Arrays.copyOfRange(ids, from, from + p);
    }
  }

  private final List<ClipRecord> clips;
  private final int window;
  private final int batchSize;
  private final long seed;
  private final int[] order;
  private long epoch = -1;
  private long nextWindow;

  /**
   * @param clips the training clips, all of one frame size and at least {@code window} frames
   * @param window frames per training window
   * @param batchSize windows per batch
   * @param seed shuffling seed
   */
  public ClipBatches(List<ClipRecord> clips, int window, int batchSize, long seed) {
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("no clips to batch");
    }
    if (window < 1 || batchSize < 1) {
      throw new IllegalArgumentException("window and batch size must be >= 1");
    }
    ClipRecord first = clips.get(0);
    for (ClipRecord c : clips) {
      if (c.height() != first.height() || c.width() != first.width()) {
        throw new IllegalArgumentException(
            "clips differ in frame size: " + first.height() + "x" + first.width() + " and " + c.height() + "x" + c.width());
      }
      if (c.numFrames() < window) {
        throw new IllegalArgumentException(
            "a clip has " + c.numFrames() + " frames, fewer than the window of " + window);
      }
    }
    this.clips = clips;
    this.window = window;
    this.batchSize = batchSize;
    this.seed = seed;
    this.order = new int[clips.size()];
  }

  /** Makes the next batch the {@code batchIndex}-th (0-based) of the stream. */
  @Override
  public void skipTo(long batchIndex) {
    if (batchIndex < 0) {
      throw new IllegalArgumentException("batch index must be >= 0");
    }
    nextWindow = batchIndex * batchSize;
  }

  /** The next training batch of random windows. */
  @Override
  public Batch next() {
    ClipRecord first = clips.get(0);
    int h = first.height(), w = first.width();
    float[] frames = new float[batchSize * window * h * w * 3];
    int[] ids = new int[batchSize * window * h * w];
    for (int b = 0; b < batchSize; b++) {
      long g = nextWindow++;
      long e = g / order.length;
      if (e != epoch) {
        shuffle(e);
      }
      ClipRecord c = clips.get(order[(int) (g % order.length)]);
      int start = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + g).nextInt(c.numFrames() - window + 1);
      copy(c, start, window, frames, ids, b);
    }
    return new Batch(frames, ids, batchSize, window, h, w);
  }

  /** The visiting order of epoch {@code e}: a Fisher-Yates shuffle seeded by (seed, e). */
  private void shuffle(long e) {
    SplittableRandom rnd = new SplittableRandom(seed ^ (e * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL));
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    epoch = e;
  }

  /**
   * The first {@code frames} frames of clips {@code from .. from + count - 1}, for evaluation.
   */
  public static Batch sequences(List<ClipRecord> clips, int from, int count, int frames) {
    if (from < 0 || count < 1 || from + count > clips.size()) {
      throw new IllegalArgumentException("clips [" + from + ", " + (from + count) + ") outside 0.." + clips.size());
    }
    ClipRecord first = clips.get(from);
    int h = first.height(), w = first.width();
    float[] out = new float[count * frames * h * w * 3];
    int[] ids = new int[count * frames * h * w];
    for (int b = 0; b < count; b++) {
      ClipRecord c = clips.get(from + b);
      if (c.numFrames() < frames) {
        throw new IllegalArgumentException(
            "clip " + (from + b) + " has " + c.numFrames() + " frames, fewer than the " + frames + " asked for");
      }
      if (c.height() != h || c.width() != w) {
        throw new IllegalArgumentException("clips differ in frame size");
      }
      copy(c, 0, frames, out, ids, b);
    }
    return new Batch(out, ids, count, frames, h, w);
  }

  /** Copies frames [start, start + n) of a clip into example slot b of the batch arrays. */
  static void copy(ClipRecord c, int start, int n, float[] frames, int[] ids, int b) {
    int p = c.pixels(), ch = c.channels();
    byte[] src = c.frames();
    byte[] srcIds = c.ids();
    int fOut = b * n * p * 3, iOut = b * n * p;
    for (int t = 0; t < n; t++) {
      int fIn = (start + t) * p * ch, iIn = (start + t) * p;
      for (int q = 0; q < p; q++) {
        int o = fOut + (t * p + q) * 3;
        if (ch == 1) {
          float v = (src[fIn + q] & 0xff) / 255f;
          frames[o] = v;
          frames[o + 1] = v;
          frames[o + 2] = v;
        } else {
          frames[o] = (src[fIn + q * 3] & 0xff) / 255f;
          frames[o + 1] = (src[fIn + q * 3 + 1] & 0xff) / 255f;
          frames[o + 2] = (src[fIn + q * 3 + 2] & 0xff) / 255f;
        }
        ids[iOut + t * p + q] = srcIds[iIn + q] & 0xff;
      }
    }
  }
}
