package dev.provide.train.data.importers;

/**
 * A crop rectangle and a target size: frames are cropped, then resized to size x size (bicubic for
 * frames, nearest for ground-truth ids, as the paper prepares CLEVRER).
 *
 * @param top first row kept
 * @param left first column kept
 * @param height rows kept (0 = to the bottom)
 * @param width columns kept (0 = to the right)
 * @param size output side (0 = keep the cropped size)
 */
public record Crop(int top, int left, int height, int width, int size) {
  /** No crop, no resize. */
  public static Crop none() {
    return new Crop(0, 0, 0, 0, 0);
  }

  /** Parses "top,left,height,width" (or "centre" for the largest centred square), plus a size. */
  public static Crop parse(String spec, int size) {
    if (spec == null || spec.isBlank()) {
      return new Crop(0, 0, 0, 0, size);
    }
    if (spec.trim().equalsIgnoreCase("centre") || spec.trim().equalsIgnoreCase("center")) {
      return new Crop(-1, -1, 0, 0, size);
    }
    String[] p = spec.split(",");
    if (p.length != 4) {
      throw new IllegalArgumentException("--crop takes top,left,height,width or 'centre', got '" + spec + "'");
    }
    try {
      return new Crop(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()), Integer.parseInt(p[2].trim()),
          Integer.parseInt(p[3].trim()), size);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--crop takes four integers, got '" + spec + "'");
    }
  }

  /** The rectangle {top, left, height, width} inside an h x w image. */
  int[] rectangle(int h, int w) {
    int t = top, l = left, ch = height, cw = width;
    if (top == -1) { // centre square
      int side = Math.min(h, w);
      t = (h - side) / 2;
      l = (w - side) / 2;
      ch = side;
      cw = side;
    }
    if (ch == 0) {
      ch = h - t;
    }
    if (cw == 0) {
      cw = w - l;
    }
    if (t < 0 || l < 0 || ch < 1 || cw < 1 || t + ch > h || l + cw > w) {
      throw new IllegalArgumentException("crop " + t + "," + l + "," + ch + "," + cw + " does not fit a " + h + "x" + w + " image");
    }
    return new int[] {t, l, ch, cw};
  }

  /** Output height and width for an h x w input. */
  int[] outputSize(int h, int w) {
    int[] r = rectangle(h, w);
    return size > 0 ? new int[] {size, size} : new int[] {r[2], r[3]};
  }
}
