package dev.provide.train.data.importers;

import java.lang.reflect.Array;

/** Flattens the nested Java arrays HDF5 readers return into row-major doubles. */
final class NdArrays {
  private NdArrays() {}

  /** All values of a (nested) primitive array of any numeric type, row-major. */
  static double[] flatten(Object data, int size) {
    double[] out = new double[size];
    int[] at = {0};
    fill(data, out, at);
    if (at[0] != size) {
      throw new IllegalArgumentException("expected " + size + " values, got " + at[0]);
    }
    return out;
  }

  private static void fill(Object a, double[] out, int[] at) {
    if (a instanceof float[] f) {
      for (float v : f) out[at[0]++] = v;
    } else if (a instanceof double[] d) {
      for (double v : d) out[at[0]++] = v;
    } else if (a instanceof byte[] b) {
      for (byte v : b) out[at[0]++] = v & 0xff;
    } else if (a instanceof short[] s) {
      for (short v : s) out[at[0]++] = v;
    } else if (a instanceof int[] i) {
      for (int v : i) out[at[0]++] = v;
    } else if (a instanceof long[] l) {
      for (long v : l) out[at[0]++] = v;
    } else if (a instanceof boolean[] z) {
      for (boolean v : z) out[at[0]++] = v ? 1 : 0;
    } else if (a != null && a.getClass().isArray()) {
      int n = Array.getLength(a);
      for (int i = 0; i < n; i++) {
        fill(Array.get(a, i), out, at);
      }
    } else {
      throw new IllegalArgumentException("not a numeric array: " + (a == null ? "null" : a.getClass()));
    }
  }
}
