package dev.provide.train.metrics;

import java.util.Arrays;

/** Sums and counts of one quantity per object id, growing with the ids added. */
final class PerObjectMean {
  private double[] sums = new double[0];
  private long[] counts = new long[0];

  /** Adds one value for object {@code id} (>= 0). */
  void add(int id, double value) {
    if (id >= counts.length) {
      sums = Arrays.copyOf(sums, id + 1);
      counts = Arrays.copyOf(counts, id + 1);
    }
    sums[id] += value;
    counts[id]++;
  }

  /** Values added for object {@code id}. */
  long count(int id) {
    return id >= 0 && id < counts.length ? counts[id] : 0;
  }

  /** Mean of object {@code id}'s values; NaN if none. */
  double mean(int id) {
    return count(id) == 0 ? Double.NaN : sums[id] / counts[id];
  }

  /** Mean over every value added, each counting once; NaN if none. */
  double pooled() {
    long n = Arrays.stream(counts).sum();
    return n == 0 ? Double.NaN : Arrays.stream(sums).sum() / n;
  }

  /** The largest id with a value (0 when none). */
  int maxId() {
    for (int id = counts.length - 1; id > 0; id--) {
      if (counts[id] > 0) {
        return id;
      }
    }
    return 0;
  }
}
