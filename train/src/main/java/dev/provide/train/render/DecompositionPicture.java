package dev.provide.train.render;

import dev.provide.graph.VideoInference;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * The standard picture of a decomposition: one column per frame; rows are the input, the
 * reconstruction, the segmentation (argmax slot, one colour per slot), then for each slot its mask
 * (grey) and its masked appearance (mask times mean). Predicted frames get a red frame.
 */
public final class DecompositionPicture {
  private DecompositionPicture() {}

  /**
   * Draws example {@code b}.
   *
   * @param inputs the true frames [B, F, H, W, 3] (null: no input row)
   * @param clip the decomposition (F frames per example)
   * @param predictedFrom first frame index drawn as predicted (F or more for none)
   */
  public static BufferedImage draw(float[] inputs, VideoInference.Clip clip, int b, int slots, int size, int predictedFrom, int scale) {
    int frames = clip.frames(), p = size * size, k = slots;
    int rows = 3 + 2 * k;
    BufferedImage[][] cells = new BufferedImage[rows][frames];
    for (int t = 0; t < frames; t++) {
      int bf = b * frames + t;
      cells[0][t] = inputs == null ? null : Images.rgb(inputs, bf * p * 3, size, size);
      cells[1][t] = Images.rgb(clip.reconstruction(), bf * p * 3, size, size);
      int[] seg = new int[p];
      for (int q = 0; q < p; q++) {
        seg[q] = clip.segmentation()[bf * p + q] + 1;
      }
      cells[2][t] = Images.ids(seg, 0, size, size);
      for (int slot = 0; slot < k; slot++) {
        float[] mask = new float[p];
        float[] appearance = new float[p * 3];
        for (int q = 0; q < p; q++) {
          float m = clip.masks()[(bf * k + slot) * p + q];
          mask[q] = m;
          for (int c = 0; c < 3; c++) {
            appearance[q * 3 + c] = m * clip.means()[((bf * k + slot) * p + q) * 3 + c];
          }
        }
        cells[3 + 2 * slot][t] = Images.grey(mask, 0, size, size);
        cells[4 + 2 * slot][t] = Images.rgb(appearance, 0, size, size);
      }
    }
    BufferedImage img = Images.grid(cells, scale, 2);
    if (predictedFrom < frames) {
      Graphics2D g = img.createGraphics();
      g.setColor(Color.RED);
      int cw = size * scale + 2;
      for (int t = predictedFrom; t < frames; t++) {
        g.drawRect(1 + t * cw, 0, cw - 1, img.getHeight() - 1);
      }
      g.dispose();
    }
    return img;
  }
}
