package dev.provide.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The spatial broadcast of Watters et al.: a vector per example is tiled over an H x W grid and
 * two coordinate channels are appended (x then y, each linearly spaced in [-1, 1]).
 */
public final class SpatialBroadcast {
  private SpatialBroadcast() {}

  /**
   * The coordinate channels as a constant.
   *
   * @return [1, H, W, 2]: channel 0 is x (varies along W), channel 1 is y (varies along H)
   */
  public static Operand<TFloat32> coordinates(Ops tf, int height, int width) {
    Preconditions.positive(height, "height");
    Preconditions.positive(width, "width");
    float[] values = new float[height * width * 2];
    for (int i = 0; i < height; i++) {
      for (int j = 0; j < width; j++) {
        int p = (i * width + j) * 2;
        values[p] = linspace(j, width);
        values[p + 1] = linspace(i, height);
      }
    }
    return tf.constant(Shape.of(1, height, width, 2), DataBuffers.of(values, true, false));
  }

  /** The i-th of n points evenly spaced in [-1, 1] (0 when n is 1). */
  static float linspace(int i, int n) {
    return n == 1 ? 0f : -1f + 2f * i / (n - 1);
  }

  /**
   * The coordinate channels repeated for every example of a batch.
   *
   * @param batch a scalar int32 batch size
   * @return [N, H, W, 2]
   */
  public static Operand<TFloat32> coordinates(
      Ops tf, Operand<TInt32> batch, int height, int width) {
    Operand<TInt32> multiples =
        tf.stack(List.of(batch, tf.constant(1), tf.constant(1), tf.constant(1)));
    return tf.tile(coordinates(tf, height, width), multiples);
  }

  /**
   * Tiles each row of {@code z} over the grid and appends the coordinates.
   *
   * @param z [N, D]
   * @return [N, H, W, D + 2]
   */
  public static Operand<TFloat32> broadcast(Ops tf, Operand<TFloat32> z, int height, int width) {
    Preconditions.rank(z, 2, "SpatialBroadcast input");
    Operand<TFloat32> grid = tile(tf, z, height, width); // [N, H, W, D]
    Operand<TFloat32> coords = coordinates(tf, Shapes.batchSize(tf, z), height, width); // [N, H, W, 2]
    return tf.concat(List.of(grid, coords), tf.constant(3));
  }

  /**
   * Tiles each row of {@code v} over the grid, without coordinates.
   *
   * @param v [N, D]
   * @return [N, H, W, D]
   */
  public static Operand<TFloat32> tile(Ops tf, Operand<TFloat32> v, int height, int width) {
    Preconditions.rank(v, 2, "tiled vector");
    Operand<TFloat32> column = tf.expandDims(tf.expandDims(v, tf.constant(1)), tf.constant(1)); // [N, 1, 1, D]
    return tf.tile(column, tf.constant(new int[] {1, height, width, 1}));
  }
}
