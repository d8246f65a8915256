package dev.provide.ops;

import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Copies between Java arrays and tensors. The caller closes the tensors it gets. */
public final class Tensors {
  private Tensors() {}

  /** A float tensor of the given shape holding a copy of {@code values}. */
  public static TFloat32 floats(float[] values, long... shape) {
    Shape s = Shape.of(shape);
    if (s.size() != values.length) {
      throw new IllegalArgumentException(
          "shape " + s + " holds " + s.size() + " values, got " + values.length);
    }
    return TFloat32.tensorOf(s, DataBuffers.of(values, true, false));
  }

  /** The values of a float tensor, in row-major order. */
  public static float[] toFloats(TFloat32 t) {
    float[] out = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The values of an int32 tensor, in row-major order. */
  public static int[] toInts(TInt32 t) {
    int[] out = new int[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The values of an int64 tensor, in row-major order. */
  public static long[] toLongs(TInt64 t) {
    long[] out = new long[Math.toIntExact(t.shape().size())];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
