package dev.provide.train.data;

/**
 * Draws a {@link BallsSimulator} state into a frame (uint8, H x W x C) and its ground-truth ids
 * (uint8, H x W; 0 = background, ball i has id i + 1; where balls overlap the one drawn last, the
 * higher id, is on top; the curtain of the curtain variant is id balls + 1 and covers the balls).
 *
 * <p>Anti-aliased edges blend by the pixel's covered fraction, estimated from the distance of the
 * pixel centre to the circle; a pixel's id is the top-most ball covering at least half of it. Hard
 * edges colour exactly the pixels whose centre lies inside a ball.
 */
public final class BallsRenderer {
  /** The curtain band, as a fraction of the width. */
  static final double CURTAIN_LEFT = 0.4, CURTAIN_RIGHT = 0.6;

  private final int size;
  private final Variant variant;
  private final boolean antialias;

  /** A renderer of square frames. */
  public BallsRenderer(int size, Variant variant, boolean antialias) {
    if (size < 4 || size > 1024) {
      throw new IllegalArgumentException("frame size must be in 4..1024, got " + size);
    }
    this.size = size;
    this.variant = variant;
    this.antialias = antialias;
  }

  /**
   * Draws one frame into the arrays at the given offsets.
   *
   * @param frame receives H x W x C bytes at {@code frameOffset}
   * @param ids receives H x W bytes at {@code idOffset}
   */
  public void draw(BallsSimulator sim, byte[] frame, int frameOffset, byte[] ids, int idOffset) {
    int c = variant.channels();
    java.util.Arrays.fill(frame, frameOffset, frameOffset + size * size * c, (byte) 0);
    java.util.Arrays.fill(ids, idOffset, idOffset + size * size, (byte) 0);
    double r = sim.radius() * size; // in pixels
    for (int b = 0; b < sim.balls(); b++) {
      double cx = sim.x(b) * size, cy = sim.y(b) * size;
      int[] colour = Palette.ballColour(variant, b + 1);
      int i0 = Math.max(0, (int) Math.floor(cy - r - 1)), i1 = Math.min(size - 1, (int) Math.ceil(cy + r + 1));
      int j0 = Math.max(0, (int) Math.floor(cx - r - 1)), j1 = Math.min(size - 1, (int) Math.ceil(cx + r + 1));
      for (int i = i0; i <= i1; i++) {
        for (int j = j0; j <= j1; j++) {
          double dx = j + 0.5 - cx, dy = i + 0.5 - cy;
          double d = Math.sqrt(dx * dx + dy * dy);
          double alpha = antialias ? clamp(r - d + 0.5) : (d <= r ? 1 : 0);
          if (alpha <= 0) {
            continue;
          }
          int p = i * size + j;
          blend(frame, frameOffset + p * c, colour, alpha, c);
          if (alpha >= 0.5) {
            ids[idOffset + p] = (byte) (b + 1);
          }
        }
      }
    }
    if (variant.hasCurtain()) {
      int j0 = (int) Math.round(CURTAIN_LEFT * size), j1 = (int) Math.round(CURTAIN_RIGHT * size);
      int[] grey = {Palette.CURTAIN_GREY, Palette.CURTAIN_GREY, Palette.CURTAIN_GREY};
      for (int i = 0; i < size; i++) {
        for (int j = j0; j < j1; j++) {
          int p = i * size + j;
          blend(frame, frameOffset + p * c, grey, 1, c);
          ids[idOffset + p] = (byte) (sim.balls() + 1);
        }
      }
    }
  }

  private static double clamp(double v) {
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }

  private static void blend(byte[] frame, int at, int[] rgb, double alpha, int channels) {
    if (channels == 1) {
      int old = frame[at] & 0xff;
      frame[at] = (byte) Math.round(old + alpha * (rgb[0] - old));
      return;
    }
    for (int ch = 0; ch < 3; ch++) {
      int old = frame[at + ch] & 0xff;
      frame[at + ch] = (byte) Math.round(old + alpha * (rgb[ch] - old));
    }
  }

  /** Frame height and width. */
  public int size() {
    return size;
  }
}
