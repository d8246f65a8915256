package dev.provide.train.data;

/** Cuts a range of frames out of frame-major batch arrays ([B, F, ...] flattened). */
public final class FrameRange {
  private FrameRange() {}

  /**
   * Frames [from, to) of every example.
   *
   * @param per values per frame
   */
  public static float[] of(float[] v, int batch, int frames, int from, int to, int per) {
    check(v.length, batch, frames, from, to, per);
    int l = to - from;
    float[] out = new float[batch * l * per];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(v, (b * frames + from) * per, out, b * l * per, l * per);
    }
    return out;
  }

  /** As {@link #of(float[], int, int, int, int, int)} for ints. */
  public static int[] of(int[] v, int batch, int frames, int from, int to, int per) {
    check(v.length, batch, frames, from, to, per);
    int l = to - from;
    int[] out = new int[batch * l * per];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(v, (b * frames + from) * per, out, b * l * per, l * per);
    }
    return out;
  }

  private static void check(int length, int batch, int frames, int from, int to, int per) {
    if (length != (long) batch * frames * per || from < 0 || to > frames || from >= to) {
      throw new IllegalArgumentException("frames [" + from + ", " + to + ") of " + batch + " x " + frames + " frames of " + per
          + " values do not fit an array of " + length);
    }
  }
}
