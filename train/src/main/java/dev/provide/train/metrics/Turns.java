package dev.provide.train.metrics;

import java.util.Arrays;

/**
 * Whether each true object of a clip's future frames still moves as it did when the observed
 * frames ended, or has turned since (bounced off a wall or another object): a forecast that
 * carries the observed motion on can be right only for the first. The observed motion is the
 * object's centroid step between the last two observed frames; an object has <em>turned</em> by a
 * future frame once any centroid step from the last observed frame up to that frame points more
 * than a given angle away from it. Objects missing from either of the last two observed frames or
 * from the frame scored, or that barely moved when the observed frames ended, are not classified.
 */
public final class Turns {
  /** Not classified: missing, or too slow for a direction. */
  public static final int UNKNOWN = 0;
  /** Every step since the observed frames within the angle of the observed motion. */
  public static final int STRAIGHT = 1;
  /** Some step since the observed frames turned away from the observed motion. */
  public static final int TURNED = 2;

  /** The angle in degrees beyond which a step counts as a turn. */
  public static final double DEFAULT_DEGREES = 40;

  /** Centroid steps shorter than this many pixels give no direction. */
  static final double MIN_STEP = 0.25;

  private Turns() {}

  /**
   * Classifies every object of every future frame.
   *
   * @param ids ground truth [B, T, H, W], 0 the background
   * @param batch B
   * @param frames T, observed and future
   * @param observe observed frames n (at least 2, fewer than T)
   * @param pixels H * W
   * @param width W
   * @param degrees the angle beyond which a step is a turn
   * @return [B * (T - n)] rows (row b * (T - n) + h for future frame n + h), each indexed by object id
   *     up to the largest id of the clips, holding {@link #UNKNOWN}, {@link #STRAIGHT} or {@link #TURNED}
   */
  public static int[][] classify(int[] ids, int batch, int frames, int observe, int pixels, int width, double degrees) {
    if (observe < 2 || observe >= frames || pixels % width != 0 || ids.length != (long) batch * frames * pixels) {
      throw new IllegalArgumentException("ids do not hold " + batch + " clips of " + frames + " frames of " + pixels
          + " pixels with 2 to " + (frames - 1) + " observed frames (got " + observe + ")");
    }
    int maxId = Arrays.stream(ids).max().orElse(0);
    int future = frames - observe;
    double cosLimit = Math.cos(Math.toRadians(degrees));
    int[][] classes = new int[batch * future][maxId + 1];
    for (int b = 0; b < batch; b++) {
      double[][][] centroid = new double[frames][][];
      for (int t = 0; t < frames; t++) {
        centroid[t] = centroids(ids, (b * frames + t) * pixels, pixels, width, maxId);
      }
      for (int id = 1; id <= maxId; id++) {
        double[] observed = step(centroid[observe - 2][id], centroid[observe - 1][id]);
        if (observed == null) {
          continue; // UNKNOWN at every horizon
        }
        boolean turned = false;
        for (int h = 0; h < future; h++) {
          int t = observe + h;
          if (centroid[t][id] == null) {
            continue; // UNKNOWN
          }
          double[] now = step(centroid[t - 1][id], centroid[t][id]);
          if (now != null && cosine(observed, now) < cosLimit) {
            turned = true;
          }
          classes[b * future + h][id] = turned ? TURNED : STRAIGHT;
        }
      }
    }
    return classes;
  }

  /** The centroid (row, column) of each id in one frame; null for an id with no pixels. */
  private static double[][] centroids(int[] ids, int offset, int pixels, int width, int maxId) {
    double[] rows = new double[maxId + 1], columns = new double[maxId + 1];
    long[] counts = new long[maxId + 1];
    for (int p = 0; p < pixels; p++) {
      int id = ids[offset + p];
      rows[id] += p / width;
      columns[id] += p % width;
      counts[id]++;
    }
    double[][] out = new double[maxId + 1][];
    for (int id = 1; id <= maxId; id++) {
      if (counts[id] > 0) {
        out[id] = new double[] {rows[id] / counts[id], columns[id] / counts[id]};
      }
    }
    return out;
  }

  /** The step from a to b, or null if either is missing or the step is too short for a direction. */
  private static double[] step(double[] a, double[] b) {
    if (a == null || b == null) {
      return null;
    }
    double[] d = {b[0] - a[0], b[1] - a[1]};
    return Math.hypot(d[0], d[1]) < MIN_STEP ? null : d;
  }

  private static double cosine(double[] a, double[] b) {
    return (a[0] * b[0] + a[1] * b[1]) / (Math.hypot(a[0], a[1]) * Math.hypot(b[0], b[1]));
  }
}
