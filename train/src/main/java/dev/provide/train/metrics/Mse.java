package dev.provide.train.metrics;

/** Mean squared error between two images (or clips) with values in [0, 1]. */
public final class Mse {
  private Mse() {}

  /** The mean over all entries of (a - b)^2, accumulated in double precision. */
  public static double of(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("images differ in size: " + a.length + " vs " + b.length);
    }
    if (a.length == 0) {
      throw new IllegalArgumentException("MSE of empty images");
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      sum += d * d;
    }
    return sum / a.length;
  }
}
