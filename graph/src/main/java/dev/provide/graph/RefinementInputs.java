package dev.provide.graph;

import dev.provide.ops.LayerNorm;
import dev.provide.ops.SpatialBroadcast;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The refinement network's inputs, listed in one place (MODEL.md section 4). Image inputs per
 * slot, as channels of an [N, H, W, C] tensor in this order:
 *
 * <pre>
 *   frame x                     3
 *   slot means mu^k             3
 *   mask m^k                    1
 *   mask logits l^k             1
 *   dL/dmu^k                    3   layer-normalised, stop-gradient
 *   dL/dl^k                     1   layer-normalised, stop-gradient (gradient w.r.t. the logits)
 *   posterior mask p(k | x)     1
 *   pixel log-likelihood        1   layer-normalised, stop-gradient
 *   coordinates x, y            2
 *   leave-one-out likelihood    1   optional; layer-normalised, stop-gradient
 * </pre>
 *
 * Vector inputs [N, 4D]: lambda (2D) and dL/dlambda (2D, layer-normalised, stop-gradient).
 * Layer normalisation is per example over all of its values (no learned parameters).
 */
public final class RefinementInputs {
  private RefinementInputs() {}

  /** Number of image channels. */
  public static int imageChannels(boolean leaveOneOut) {
    return 16 + (leaveOneOut ? 1 : 0);
  }

  /** Width of the vector input. */
  public static int vectorSize(int latentSize) {
    return 4 * latentSize;
  }

  /**
   * The per-step quantities the inputs are made of; per-slot tensors have N = B * K rows, per-pixel
   * ones B rows and are repeated for every slot here.
   *
   * @param frame x [B, H, W, 3]
   * @param means [N, H, W, 3]
   * @param masks [N, H, W, 1]
   * @param maskLogits [N, H, W, 1]
   * @param meansGradient dL/dmu [N, H, W, 3]
   * @param logitsGradient dL/dl [N, H, W, 1]
   * @param posterior p(k | x) [N, H, W, 1]
   * @param pixelLogLikelihood [B, H, W, 1]
   * @param leaveOneOut [N, H, W, 1] or null
   * @param lambda [N, 2D]
   * @param lambdaGradient dL/dlambda [N, 2D]
   */
  public record Parts(
      Operand<TFloat32> frame,
      Operand<TFloat32> means,
      Operand<TFloat32> masks,
      Operand<TFloat32> maskLogits,
      Operand<TFloat32> meansGradient,
      Operand<TFloat32> logitsGradient,
      Operand<TFloat32> posterior,
      Operand<TFloat32> pixelLogLikelihood,
      Operand<TFloat32> leaveOneOut,
      Operand<TFloat32> lambda,
      Operand<TFloat32> lambdaGradient) {}

  /** The image inputs [N, H, W, C_in]. */
  public static Operand<TFloat32> image(Ops tf, Parts p, int slots, int size) {
    List<Operand<TFloat32>> channels = new ArrayList<>();
    channels.add(perSlot(tf, p.frame(), slots, size, 3)); // [N, H, W, 3]
    channels.add(p.means()); // [N, H, W, 3]
    channels.add(p.masks()); // [N, H, W, 1]
    channels.add(p.maskLogits()); // [N, H, W, 1]
    channels.add(normalised(tf, p.meansGradient())); // [N, H, W, 3]
    channels.add(normalised(tf, p.logitsGradient())); // [N, H, W, 1]
    channels.add(p.posterior()); // [N, H, W, 1]
    channels.add(normalised(tf, perSlot(tf, p.pixelLogLikelihood(), slots, size, 1))); // [N, H, W, 1]
    channels.add(SpatialBroadcast.coordinates(tf, dev.provide.ops.Shapes.batchSize(tf, p.means()), size, size)); // [N, H, W, 2]
    if (p.leaveOneOut() != null) {
      channels.add(normalised(tf, p.leaveOneOut())); // [N, H, W, 1]
    }
    return tf.concat(channels, tf.constant(3));
  }

  /** The vector inputs [N, 4D]. */
  public static Operand<TFloat32> vector(Ops tf, Parts p) {
    return tf.concat(List.of(p.lambda(), normalised(tf, p.lambdaGradient())), tf.constant(1));
  }

  /** Stop-gradient, then layer-normalise every row over all its other axes. */
  private static Operand<TFloat32> normalised(Ops tf, Operand<TFloat32> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[rank - 1];
    for (int i = 1; i < rank; i++) {
      axes[i - 1] = i;
    }
    return LayerNorm.normalize(tf, tf.stopGradient(x), axes);
  }

  /** Repeats a per-pixel [B, H, W, C] tensor for every slot: [B * K, H, W, C]. */
  static Operand<TFloat32> perSlot(Ops tf, Operand<TFloat32> x, int slots, int size, int channels) {
    Operand<TFloat32> e = tf.expandDims(x, tf.constant(1)); // [B, 1, H, W, C]
    Operand<TFloat32> t = tf.tile(e, tf.constant(new int[] {1, slots, 1, 1, 1})); // [B, K, H, W, C]
    return tf.reshape(t, tf.constant(new int[] {-1, size, size, channels})); // [B*K, H, W, C]
  }
}
