package dev.provide.train.data.importers;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Crops and resizes one frame (RGB bytes) or id map (bytes). */
final class Resampling {
  private Resampling() {}

  /** Crops and resizes an RGB frame h x w x 3 (bicubic). */
  static byte[] frame(byte[] rgb, int h, int w, Crop crop) {
    int[] r = crop.rectangle(h, w);
    int[] out = crop.outputSize(h, w);
    BufferedImage src = new BufferedImage(r[3], r[2], BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < r[2]; i++) {
      for (int j = 0; j < r[3]; j++) {
        int p = ((r[0] + i) * w + r[1] + j) * 3;
        src.setRGB(j, i, (rgb[p] & 0xff) << 16 | (rgb[p + 1] & 0xff) << 8 | (rgb[p + 2] & 0xff));
      }
    }
    BufferedImage dst = src;
    if (out[0] != r[2] || out[1] != r[3]) {
      dst = new BufferedImage(out[1], out[0], BufferedImage.TYPE_INT_RGB);
      Graphics2D g = dst.createGraphics();
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, out[1], out[0], null);
      g.dispose();
    }
    byte[] result = new byte[out[0] * out[1] * 3];
    for (int i = 0; i < out[0]; i++) {
      for (int j = 0; j < out[1]; j++) {
        int v = dst.getRGB(j, i);
        int p = (i * out[1] + j) * 3;
        result[p] = (byte) (v >> 16);
        result[p + 1] = (byte) (v >> 8);
        result[p + 2] = (byte) v;
      }
    }
    return result;
  }

  /** Crops and resizes an id map h x w (nearest neighbour: ids are labels, not intensities). */
  static byte[] ids(byte[] ids, int h, int w, Crop crop) {
    int[] r = crop.rectangle(h, w);
    int[] out = crop.outputSize(h, w);
    byte[] result = new byte[out[0] * out[1]];
    for (int i = 0; i < out[0]; i++) {
      int si = r[0] + Math.min(r[2] - 1, (int) ((i + 0.5) * r[2] / out[0]));
      for (int j = 0; j < out[1]; j++) {
        int sj = r[1] + Math.min(r[3] - 1, (int) ((j + 0.5) * r[3] / out[1]));
        result[i * out[1] + j] = ids[si * w + sj];
      }
    }
    return result;
  }
}
