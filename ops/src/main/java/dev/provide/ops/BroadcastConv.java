package dev.provide.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The first convolution of a spatial broadcast decoder, without materialising the broadcast.
 *
 * <p>The convolution's input is a per-example vector v tiled over the grid, plus two coordinate
 * channels. Split the kernel into its vector part W_v [k, k, M, F] and coordinate part W_c [k, k,
 * 2, F]: the coordinate part is one small convolution of the coordinates, the same for every
 * example; the vector part at pixel p is the sum, over the kernel taps that fall inside the image
 * there (SAME zero padding), of v W_v[tap]. So it is a projection of v by every tap ([N, k*k, F],
 * one matrix product) and a fixed 0/1 tap-validity matrix [H*W, k*k] applied to it. For an M-wide
 * vector this costs N*H*W*k*k*F multiply-adds instead of N*H*W*k*k*(M+2)*F, and for 1x1 kernels
 * just N*F*M plus a broadcast add. The result equals {@code conv.apply(broadcast(v))} exactly up to
 * float rounding (see BroadcastConvTest), and uses the convolution's own variables.
 */
public final class BroadcastConv {
  private BroadcastConv() {}

  /**
   * Applies {@code conv} (stride 1, SAME) to the spatial broadcast of {@code v} with coordinates.
   *
   * @param v [N, M] with M + 2 = the convolution's input channels
   * @return [N, H, W, F]
   */
  public static Operand<TFloat32> apply(Ops tf, Conv2d conv, Operand<TFloat32> v, int height, int width) {
    if (conv.stride() != 1) {
      throw new IllegalArgumentException("the broadcast convolution needs stride 1, got " + conv.stride());
    }
    int m = conv.inputChannels() - 2, f = conv.outputChannels(), k = conv.kernelSize(), taps = k * k;
    Preconditions.lastDimension(v, m, "BroadcastConv");
    Operand<TFloat32> wv = tf.slice(conv.kernel(), tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {k, k, m, f})); // [k, k, M, F]
    Operand<TFloat32> wc = tf.slice(conv.kernel(), tf.constant(new int[] {0, 0, m, 0}), tf.constant(new int[] {k, k, 2, f})); // [k, k, 2, F]
    Operand<TFloat32> coords =
        tf.nn.conv2d(SpatialBroadcast.coordinates(tf, height, width), wc, List.of(1L, 1L, 1L, 1L), "SAME"); // [1, H, W, F]
    Operand<TFloat32> byTap =
        tf.linalg.matMul(v, tf.reshape(tf.linalg.transpose(wv, tf.constant(new int[] {2, 0, 1, 3})), tf.constant(new int[] {m, taps * f}))); // [N, T*F]
    Operand<TFloat32> vectorPart;
    if (k == 1) {
      vectorPart = tf.reshape(byTap, tf.constant(new int[] {-1, 1, 1, f})); // [N, 1, 1, F], broadcast below
    } else {
      Operand<TFloat32> perTap = tf.linalg.transpose(tf.reshape(byTap, tf.constant(new int[] {-1, taps, f})), tf.constant(new int[] {1, 0, 2})); // [T, N, F]
      Operand<TFloat32> summed =
          tf.linalg.matMul(tapValidity(tf, height, width, k), tf.reshape(perTap, tf.constant(new int[] {taps, -1}))); // [H*W, N*F]
      Operand<TFloat32> hwnf = tf.reshape(summed, tf.constant(new int[] {height, width, -1, f})); // [H, W, N, F]
      vectorPart = tf.linalg.transpose(hwnf, tf.constant(new int[] {2, 0, 1, 3})); // [N, H, W, F]
    }
    Operand<TFloat32> pre = tf.math.add(tf.math.add(vectorPart, coords), conv.bias()); // [N, H, W, F]
    return conv.activation().apply(tf, pre);
  }

  /** 1 where kernel tap t of pixel p lies inside the image (SAME padding, stride 1), [H*W, k*k]. */
  static Operand<TFloat32> tapValidity(Ops tf, int height, int width, int k) {
    int pad = (k - 1) / 2;
    float[] mask = new float[height * width * k * k];
    for (int i = 0; i < height; i++) {
      for (int j = 0; j < width; j++) {
        for (int di = 0; di < k; di++) {
          for (int dj = 0; dj < k; dj++) {
            int y = i + di - pad, x = j + dj - pad;
            if (y >= 0 && y < height && x >= 0 && x < width) {
              mask[((i * width + j) * k + di) * k + dj] = 1f;
            }
          }
        }
      }
    }
    return tf.constant(Shape.of((long) height * width, (long) k * k), DataBuffers.of(mask, true, false));
  }
}
