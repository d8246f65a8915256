package dev.provide.train.render;

import dev.provide.train.data.ClipRecord;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Turns frames, masks and segmentations into images, and writes PNGs. */
public final class Images {
  /** Distinct colours for segment ids; id 0 (background) is black. */
  private static final int[] SEGMENT_COLOURS = {
    0x000000, 0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x46f0f0,
    0xf032e6, 0xbcf60c, 0xfabebe, 0x008080, 0xe6beff, 0x9a6324, 0xfffac8, 0x800000
  };

  private Images() {}

  /** The colour of segment id {@code id} (0 = black). */
  public static int segmentColour(int id) {
    if (id < SEGMENT_COLOURS.length) {
      return SEGMENT_COLOURS[id];
    }
    float hue = (id * 0.618034f) % 1f;
    return Color.HSBtoRGB(hue, 0.8f, 0.9f) & 0xffffff;
  }

  /** Frame t of a clip (greyscale or RGB bytes). */
  public static BufferedImage frame(ClipRecord c, int t) {
    int h = c.height(), w = c.width(), ch = c.channels();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    byte[] f = c.frames();
    int base = t * c.pixels() * ch;
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        int p = base + (i * w + j) * ch;
        int r = f[p] & 0xff;
        int g = ch == 3 ? f[p + 1] & 0xff : r;
        int b = ch == 3 ? f[p + 2] & 0xff : r;
        img.setRGB(j, i, r << 16 | g << 8 | b);
      }
    }
    return img;
  }

  /** An RGB image from floats in [0, 1], H x W x 3 starting at {@code offset}. */
  public static BufferedImage rgb(float[] v, int offset, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        int p = offset + (i * w + j) * 3;
        img.setRGB(j, i, toByte(v[p]) << 16 | toByte(v[p + 1]) << 8 | toByte(v[p + 2]));
      }
    }
    return img;
  }

  /** A greyscale image from floats in [0, 1], H x W starting at {@code offset}. */
  public static BufferedImage grey(float[] v, int offset, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        int g = toByte(v[offset + i * w + j]);
        img.setRGB(j, i, g << 16 | g << 8 | g);
      }
    }
    return img;
  }

  private static int toByte(float v) {
    return Math.max(0, Math.min(255, Math.round(v * 255)));
  }

  /** A segmentation (byte ids) coloured by id. */
  public static BufferedImage ids(byte[] ids, int offset, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < h * w; p++) {
      img.setRGB(p % w, p / w, segmentColour(ids[offset + p] & 0xff));
    }
    return img;
  }

  /** A segmentation (int ids) coloured by id. */
  public static BufferedImage ids(int[] ids, int offset, int h, int w) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int p = 0; p < h * w; p++) {
      img.setRGB(p % w, p / w, segmentColour(ids[offset + p]));
    }
    return img;
  }

  /** The largest picture made: 200 million pixels (800 MB in memory). */
  static final long MAX_PIXELS = 200_000_000L;

  /** Tiles images (rows x columns, nulls left blank) magnified by {@code scale}, with gaps. */
  public static BufferedImage grid(BufferedImage[][] cells, int scale, int gap) {
    int rows = cells.length, cols = 0, cw = 0, chh = 0;
    for (BufferedImage[] row : cells) {
      cols = Math.max(cols, row.length);
      for (BufferedImage c : row) {
        if (c != null) {
          cw = Math.max(cw, c.getWidth());
          chh = Math.max(chh, c.getHeight());
        }
      }
    }
    long wide = (long) cols * ((long) cw * scale + gap) + gap, high = (long) rows * ((long) chh * scale + gap) + gap;
    if (wide * high > MAX_PIXELS) {
      throw new IllegalArgumentException(String.format(
          "a %d x %d picture (scale %d) is too large; the most is %d million pixels: use a smaller scale or fewer frames",
          wide, high, scale, MAX_PIXELS / 1_000_000));
    }
    int w = (int) wide, h = (int) high;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cells[r].length; c++) {
        if (cells[r][c] != null) {
          g.drawImage(cells[r][c], gap + c * (cw * scale + gap), gap + r * (chh * scale + gap), cw * scale, chh * scale, null);
        }
      }
    }
    g.dispose();
    return out;
  }

  /** Writes a PNG atomically (temporary file, then rename). */
  public static void writePng(BufferedImage img, Path out) throws IOException {
    Path tmp = dev.provide.ops.PartialFiles.file(out);
    try {
      if (!ImageIO.write(img, "png", tmp.toFile())) {
        throw new IOException("no PNG writer available");
      }
      dev.provide.ops.PartialFiles.publish(tmp, out);
    } catch (IOException e) { // ImageIO says "I/O error writing PNG file!": name the file and the cause
      throw new IOException("cannot write " + out + ": " + dev.provide.ops.ErrorMessages.innermost(e), e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
