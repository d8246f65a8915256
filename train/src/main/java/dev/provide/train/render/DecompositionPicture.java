package dev.provide.train.render;

import dev.provide.graph.VideoInference;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * The standard picture of a decomposition: one column per frame; rows are the input, the
 * reconstruction, the segmentation (argmax slot, one colour per slot), then for each slot its mask
 * (grey) and its masked appearance (mask times mean). Predicted frames get a red frame.
 */
public final class DecompositionPicture {
  /** Gap between cells, in pixels. */
  private static final int GAP = 2;

  /** Width of the row-label margin and height of the column-header band, in pixels. */
  private static final int LABEL_WIDTH = 132, HEADER_HEIGHT = 34;

  private DecompositionPicture() {}

  /**
   * As {@link #draw}, with each row named on the left (input, reconstruction, segmentation, each
   * slot's mask and appearance) and each column numbered on top, predicted frames marked.
   *
   * @param firstFrame the number shown over the first column (1 for a whole clip)
   */
  public static BufferedImage drawLabelled(float[] inputs, VideoInference.Clip clip, int b, int slots, int size, int predictedFrom,
      int scale, int firstFrame) {
    BufferedImage grid = draw(inputs, clip, b, slots, size, predictedFrom, scale);
    BufferedImage out = new BufferedImage(grid.getWidth() + LABEL_WIDTH, grid.getHeight() + HEADER_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, out.getWidth(), out.getHeight());
      g.drawImage(grid, LABEL_WIDTH, HEADER_HEIGHT, null);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int cell = size * scale + GAP;
      for (int r = 0; r < 3 + 2 * slots; r++) {
        String name = switch (r) {
          case 0 -> "input";
          case 1 -> "reconstruction";
          case 2 -> "segmentation";
          default -> "slot " + (r - 3) / 2 + ((r - 3) % 2 == 0 ? " mask" : " appearance");
        };
        g.setColor(Color.BLACK);
        g.drawString(name, 6, HEADER_HEIGHT + GAP + r * cell + cell / 2 + 4);
      }
      for (int t = 0; t < clip.frames(); t++) {
        boolean predicted = t >= predictedFrom;
        String number = Integer.toString(firstFrame + t);
        int x = LABEL_WIDTH + GAP + t * cell + cell / 2;
        g.setColor(predicted ? Color.RED : Color.BLACK);
        g.drawString(number, x - g.getFontMetrics().stringWidth(number) / 2, HEADER_HEIGHT - 6);
        if (t == 0 || predicted != (t - 1 >= predictedFrom)) {
          g.drawString(predicted ? "predicted" : "observed", LABEL_WIDTH + GAP + t * cell, 14);
        }
      }
    } finally {
      g.dispose();
    }
    return out;
  }

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
    BufferedImage img = Images.grid(cells, scale, GAP);
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
