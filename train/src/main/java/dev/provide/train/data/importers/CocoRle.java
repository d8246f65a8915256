package dev.provide.train.data.importers;

/**
 * Decodes COCO's compressed run-length encoding of binary masks ({@code {"size": [h, w], "counts":
 * "..."}}, as in CLEVRER's mask files): run lengths alternate between 0s and 1s, starting with 0s,
 * over the pixels in column-major order; each run length is written in 5-bit groups (low bits
 * first, 0x20 = more groups follow, 0x10 in the last group = negative), offset by 48 into
 * printable ASCII, and from the fourth run on as a difference to the run two before.
 */
public final class CocoRle {
  private CocoRle() {}

  /** The run lengths encoded in {@code counts}. */
  static long[] runs(String counts) {
    long[] out = new long[counts.length()];
    int n = 0, p = 0;
    while (p < counts.length()) {
      long x = 0;
      int shift = 0;
      boolean more = true;
      int c = 0;
      while (more) {
        if (p >= counts.length()) {
          throw new IllegalArgumentException("truncated RLE string");
        }
        c = counts.charAt(p++) - 48;
        if (c < 0 || c > 63) {
          throw new IllegalArgumentException("invalid character in RLE string: '" + (char) (c + 48) + "'");
        }
        x |= (long) (c & 0x1f) << shift;
        more = (c & 0x20) != 0;
        shift += 5;
        if (shift > 60) {
          throw new IllegalArgumentException("RLE run length too long");
        }
      }
      if ((c & 0x10) != 0) {
        x |= -1L << shift;
      }
      if (n > 2) {
        x += out[n - 2];
      }
      out[n++] = x;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /**
   * The mask, row-major h x w.
   *
   * @throws IllegalArgumentException if the runs do not cover exactly h * w pixels
   */
  public static boolean[] decode(String counts, int h, int w) {
    long[] runs = runs(counts);
    boolean[] mask = new boolean[h * w];
    long pos = 0;
    boolean value = false;
    for (long r : runs) {
      if (r < 0 || pos + r > (long) h * w) {
        throw new IllegalArgumentException("RLE runs exceed the " + h + "x" + w + " mask");
      }
      if (value) {
        for (long i = pos; i < pos + r; i++) {
          int col = (int) (i / h), row = (int) (i % h);
          mask[row * w + col] = true;
        }
      }
      pos += r;
      value = !value;
    }
    if (pos != (long) h * w) {
      throw new IllegalArgumentException("RLE runs cover " + pos + " pixels, the mask has " + (long) h * w);
    }
    return mask;
  }
}
