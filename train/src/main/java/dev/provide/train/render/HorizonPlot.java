package dev.provide.train.render;

import dev.provide.train.predict.HorizonScores;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A line plot of prediction scores against horizon: one panel for MSE, one for F-ARI, one line
 * per predictor, with a legend.
 */
public final class HorizonPlot {
  private static final int PANEL_W = 420, PANEL_H = 300, MARGIN_L = 64, MARGIN_R = 16, MARGIN_T = 36, MARGIN_B = 44;
  private static final int LEGEND_H = 28;
  private static final Color[] LINE_COLOURS = {
    new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)
  };

  private HorizonPlot() {}

  /** Draws {@code scores}, titled {@code title}. */
  public static BufferedImage draw(HorizonScores scores, String title) {
    List<String> predictors = scores.predictors();
    BufferedImage img = new BufferedImage(2 * PANEL_W, PANEL_H + LEGEND_H + 24, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, img.getWidth(), img.getHeight());
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      g.drawString(title, 12, 18);
      g.translate(0, 24);
      panel(g, scores, predictors, HorizonScores.Metric.MSE, "MSE of the predicted frame (lower is better)", false);
      g.translate(PANEL_W, 0);
      panel(g, scores, predictors, HorizonScores.Metric.F_ARI, "F-ARI of the predicted masks (higher is better)", true);
      g.translate(-PANEL_W, PANEL_H);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      int x = MARGIN_L;
      for (int i = 0; i < predictors.size(); i++) {
        g.setColor(colour(i));
        g.setStroke(new BasicStroke(2.5f));
        g.drawLine(x, LEGEND_H / 2, x + 24, LEGEND_H / 2);
        g.setColor(Color.BLACK);
        g.drawString(predictors.get(i), x + 30, LEGEND_H / 2 + 5);
        x += 44 + g.getFontMetrics().stringWidth(predictors.get(i));
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void panel(Graphics2D g, HorizonScores scores, List<String> predictors, HorizonScores.Metric metric, String label,
      boolean unitRange) {
    int p = scores.future();
    double lo = unitRange ? 0 : Double.MAX_VALUE, hi = unitRange ? 1 : -Double.MAX_VALUE;
    if (!unitRange) {
      for (String name : predictors) {
        for (double v : scores.series(name, metric)) {
          if (Double.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
        }
      }
      lo = 0;
      hi = hi <= lo ? lo + 1 : hi * 1.05;
    }
    int x0 = MARGIN_L, x1 = PANEL_W - MARGIN_R, y0 = PANEL_H - MARGIN_B, y1 = MARGIN_T;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.BLACK);
    g.drawString(label, x0, y1 - 12);
    g.setStroke(new BasicStroke(1f));
    for (int t = 0; t <= 4; t++) {
      double v = lo + (hi - lo) * t / 4;
      int y = (int) Math.round(y0 - (y0 - y1) * (double) t / 4);
      g.setColor(new Color(0xdddddd));
      g.drawLine(x0, y, x1, y);
      g.setColor(Color.DARK_GRAY);
      String text = String.format(Locale.ROOT, unitRange ? "%.2f" : "%.3f", v);
      g.drawString(text, x0 - 6 - g.getFontMetrics().stringWidth(text), y + 4);
    }
    for (int h = 1; h <= p; h++) {
      int x = xOf(h, p, x0, x1);
      String text = Integer.toString(h);
      g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y0 + 16);
    }
    g.drawString("frames ahead", (x0 + x1) / 2 - 36, y0 + 34);
    g.drawLine(x0, y0, x1, y0);
    g.drawLine(x0, y0, x0, y1);
    g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    for (int i = 0; i < predictors.size(); i++) {
      double[] series = scores.series(predictors.get(i), metric);
      g.setColor(colour(i));
      for (int h = 1; h <= p; h++) {
        int x = xOf(h, p, x0, x1), y = yOf(series[h - 1], lo, hi, y0, y1);
        if (h > 1) {
          g.drawLine(xOf(h - 1, p, x0, x1), yOf(series[h - 2], lo, hi, y0, y1), x, y);
        }
        g.fillOval(x - 3, y - 3, 6, 6);
      }
    }
  }

  private static int xOf(int h, int p, int x0, int x1) {
    return p == 1 ? (x0 + x1) / 2 : x0 + 12 + (int) Math.round((x1 - x0 - 24) * (h - 1) / (double) (p - 1));
  }

  private static int yOf(double v, double lo, double hi, int y0, int y1) {
    double clamped = Double.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : lo;
    return (int) Math.round(y0 - (y0 - y1) * (clamped - lo) / (hi - lo));
  }

  private static Color colour(int i) {
    return LINE_COLOURS[i % LINE_COLOURS.length];
  }
}
