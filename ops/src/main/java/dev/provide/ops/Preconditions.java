package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/** Argument checks shared by the builders, with messages that name the layer. */
final class Preconditions {
  private Preconditions() {}

  static void positive(long value, String what) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive, got " + value);
    }
  }

  /** Fails when the static last dimension is known and differs from {@code expected}. */
  static void lastDimension(Operand<?> x, long expected, String layer) {
    Shape s = x.shape();
    if (s.isUnknown() || s.numDimensions() == 0) {
      return;
    }
    long last = s.get(s.numDimensions() - 1);
    if (last != Shape.UNKNOWN_SIZE && last != expected) {
      throw new IllegalArgumentException(
          layer + " expects " + expected + " input channels, got shape " + s);
    }
  }

  static void rank(Operand<?> x, int expected, String what) {
    Shape s = x.shape();
    if (!s.isUnknown() && s.numDimensions() != expected) {
      throw new IllegalArgumentException(
          what + " must have rank " + expected + ", got shape " + s);
    }
  }
}
