package dev.provide.train.metrics;

import java.util.Arrays;

/**
 * The adjusted Rand index (Hubert and Arabie 1985) between two labelings of the same pixels, and
 * its foreground-only variant F-ARI (MODEL.md section 9).
 *
 * <p>Computed from the contingency table in O(pixels + clusters^2) with no allocation beyond the
 * table, so a 64 x 64 frame costs a few microseconds.
 */
public final class Ari {
  /** What a 0/0 index (both labelings trivial in the same way, or no pixels) is worth. */
  public enum Convention {
    /** 0/0 counts as 1 (this project's default, and the paper's evaluation code). */
    ZERO_OVER_ZERO_IS_ONE,
    /**
     * DeepMind's multi-object convention: 1 when both labelings put every pixel in one cluster;
     * any other 0/0 is an error.
     */
    DEEPMIND
  }

  /** Ground-truth id of the background, ignored by F-ARI. */
  public static final int BACKGROUND = 0;

  private Ari() {}

  /** ARI over all pixels, with 0/0 counted as 1. */
  public static double ari(int[] truth, int[] predicted) {
    return ari(truth, predicted, Convention.ZERO_OVER_ZERO_IS_ONE);
  }

  /** ARI over all pixels. */
  public static double ari(int[] truth, int[] predicted, Convention convention) {
    checkSameLength(truth, predicted);
    return index(truth, predicted, truth.length, false, convention);
  }

  /** F-ARI: ARI over the pixels whose ground truth is not background, 0/0 counted as 1. */
  public static double foregroundAri(int[] truth, int[] predicted) {
    return foregroundAri(truth, predicted, Convention.ZERO_OVER_ZERO_IS_ONE);
  }

  /** F-ARI: ARI over the pixels whose ground truth is not {@link #BACKGROUND}. */
  public static double foregroundAri(int[] truth, int[] predicted, Convention convention) {
    checkSameLength(truth, predicted);
    return index(truth, predicted, truth.length, true, convention);
  }

  private static void checkSameLength(int[] truth, int[] predicted) {
    if (truth.length != predicted.length) {
      throw new IllegalArgumentException(
          "labelings differ in length: " + truth.length + " vs " + predicted.length);
    }
  }

  private static double index(
      int[] truth, int[] predicted, int n, boolean skipBackground, Convention convention) {
    int rows = maxLabel(truth, "ground-truth") + 1;
    int cols = maxLabel(predicted, "predicted") + 1;
    long cells = (long) rows * cols;
    if (cells > (1 << 22)) {
      return index(dense(truth), dense(predicted), n, skipBackground, convention, truth);
    }
    return fromTable(truth, predicted, rows, cols, skipBackground, convention);
  }

  private static double index(
      int[] truthDense, int[] predDense, int n, boolean skipBackground, Convention convention, int[] rawTruth) {
    // Labels were remapped to 0..m-1; background filtering uses the raw ground truth.
    int[] t = truthDense.clone();
    int[] p = predDense.clone();
    if (skipBackground) {
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (rawTruth[i] != BACKGROUND) {
          t[m] = t[i];
          p[m] = p[i];
          m++;
        }
      }
      t = Arrays.copyOf(t, m);
      p = Arrays.copyOf(p, m);
    }
    return fromTable(t, p, maxLabel(t, "") + 1, maxLabel(p, "") + 1, false, convention);
  }

  private static double fromTable(
      int[] truth, int[] predicted, int rows, int cols, boolean skipBackground, Convention convention) {
    int[] table = new int[rows * cols];
    int[] rowSums = new int[rows];
    int[] colSums = new int[cols];
    int n = 0;
    for (int i = 0; i < truth.length; i++) {
      int t = truth[i];
      if (skipBackground && t == BACKGROUND) {
        continue;
      }
      int p = predicted[i];
      table[t * cols + p]++;
      rowSums[t]++;
      colSums[p]++;
      n++;
    }
    double sumCells = 0;
    for (int c : table) {
      sumCells += pairs(c);
    }
    double sumRows = 0;
    int nonEmptyRows = 0;
    for (int r : rowSums) {
      sumRows += pairs(r);
      nonEmptyRows += r > 0 ? 1 : 0;
    }
    double sumCols = 0;
    int nonEmptyCols = 0;
    for (int c : colSums) {
      sumCols += pairs(c);
      nonEmptyCols += c > 0 ? 1 : 0;
    }
    double total = pairs(n);
    double expected = total == 0 ? 0 : sumRows * sumCols / total;
    double max = 0.5 * (sumRows + sumCols);
    double denominator = max - expected;
    if (denominator == 0) {
      if (convention == Convention.DEEPMIND) {
        if (n > 0 && nonEmptyRows == 1 && nonEmptyCols == 1) {
          return 1.0;
        }
        throw new ArithmeticException(
            "ARI is 0/0 for these labelings ("
                + n
                + " pixels, "
                + nonEmptyRows
                + " true and "
                + nonEmptyCols
                + " predicted clusters)");
      }
      return 1.0;
    }
    return (sumCells - expected) / denominator;
  }

  private static double pairs(long count) {
    return count * (count - 1) / 2.0;
  }

  private static int maxLabel(int[] labels, String what) {
    int max = 0;
    for (int v : labels) {
      if (v < 0) {
        throw new IllegalArgumentException(what + " labels must be non-negative, got " + v);
      }
      max = Math.max(max, v);
    }
    return max;
  }

  /** Renumbers labels to 0..m-1 (for very large label values). */
  private static int[] dense(int[] labels) {
    int[] sorted = Arrays.stream(labels).distinct().sorted().toArray();
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = Arrays.binarySearch(sorted, labels[i]);
    }
    return out;
  }

  /**
   * The predicted slot of every pixel: the argmax over slots of the masks.
   *
   * @param masks K x pixels values, slot-major ([K, H, W] flattened)
   * @param slots K
   * @return pixels ids in 0..K-1 (ties go to the lower slot)
   */
  public static int[] argmaxSlots(float[] masks, int slots) {
    if (slots <= 0 || masks.length % slots != 0) {
      throw new IllegalArgumentException(
          masks.length + " mask values cannot be split into " + slots + " slots");
    }
    int pixels = masks.length / slots;
    int[] out = new int[pixels];
    for (int p = 0; p < pixels; p++) {
      float best = masks[p];
      int arg = 0;
      for (int k = 1; k < slots; k++) {
        float v = masks[k * pixels + p];
        if (v > best) {
          best = v;
          arg = k;
        }
      }
      out[p] = arg;
    }
    return out;
  }
}
