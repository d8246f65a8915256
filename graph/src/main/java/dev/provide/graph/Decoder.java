package dev.provide.graph;

import dev.provide.ops.Activation;
import dev.provide.ops.Conv2d;
import dev.provide.ops.Dense;
import dev.provide.ops.BroadcastConv;
import dev.provide.ops.SpatialBroadcast;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SplitV;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * The spatial broadcast decoder shared by all slots (MODEL.md section 1): an MLP of two dense
 * layers with ELU on [z ; h_{t-1}] (or z alone without decoder conditioning), tiled over the H x W
 * grid with two coordinate channels, hidden convolutions with ELU, and an output convolution to 4
 * channels: sigmoid(channels 0..2) are the slot means, channel 3 the mask logit. The first
 * convolution is computed by {@link BroadcastConv} (a per-slot projection plus a border
 * correction) rather than on the materialised tiles: the same result for a fraction of the work.
 */
public final class Decoder {
  /**
   * What the decoder produces for every slot.
   *
   * @param means mu^k in [0, 1], [N, H, W, 3]
   * @param maskLogits l^k, [N, H, W, 1]
   */
  public record Decoded(Operand<TFloat32> means, Operand<TFloat32> maskLogits) {}

  /**
   * Benchmarking switch: build the first convolution on the materialised broadcast (the plain
   * form, slower) instead of {@link BroadcastConv}, to measure what the latter saves. Read when a
   * graph is built.
   */
  public static volatile boolean materializeBroadcast = false;

  private final int imageSize;
  private final int slots;
  private final boolean uniformBackground;
  private final int conditioningSize;
  private final Dense mlp1;
  private final Dense mlp2;
  private final List<Conv2d> convs;
  private final Conv2d output;

  private Decoder(
      int imageSize, int slots, boolean uniformBackground, int conditioningSize, Dense mlp1, Dense mlp2, List<Conv2d> convs,
      Conv2d output) {
    this.imageSize = imageSize;
    this.slots = slots;
    this.uniformBackground = uniformBackground;
    this.conditioningSize = conditioningSize;
    this.mlp1 = mlp1;
    this.mlp2 = mlp2;
    this.convs = convs;
    this.output = output;
  }

  /** Creates the decoder's variables under {@code decoder/}. */
  public static Decoder create(Ops tf, ModelConfig c) {
    Ops s = tf.withSubScope("decoder");
    ModelConfig.Decoder d = c.decoder();
    int conditioning = c.temporal().decoderConditioning() ? c.lstmSize() : 0;
    Dense mlp1 = Dense.create(s, "mlp1", c.latentSize() + conditioning, d.mlpWidth(), Activation.ELU, c.initialisation(), c.seed());
    Dense mlp2 = Dense.create(s, "mlp2", d.mlpWidth(), d.mlpWidth(), Activation.ELU, c.initialisation(), c.seed());
    List<Conv2d> convs = new ArrayList<>();
    int in = d.mlpWidth() + 2;
    for (int i = 0; i < d.convs(); i++) {
      convs.add(Conv2d.create(s, "conv" + i, d.kernel(), in, d.filters(), 1, Activation.ELU, c.initialisation(), c.seed()));
      in = d.filters();
    }
    Conv2d output = Conv2d.create(s, "output", d.outputKernel(), in, 4, 1, Activation.NONE, c.initialisation(), c.seed());
    return new Decoder(c.imageSize(), c.slots(), d.uniformBackground(), conditioning, mlp1, mlp2, convs, output);
  }

  /**
   * Decodes every slot.
   *
   * @param z [N, D]
   * @param h the temporal hidden state [N, L], or null without decoder conditioning
   */
  public Decoded decode(Ops tf, Operand<TFloat32> z, Operand<TFloat32> h) {
    Operand<TFloat32> in = z; // [N, D]
    if (conditioningSize > 0) {
      if (h == null) {
        throw new IllegalArgumentException("this decoder is conditioned on the temporal state: h is required");
      }
      in = tf.concat(List.of(z, h), tf.constant(1)); // [N, D + L]
    }
    Operand<TFloat32> v = mlp2.apply(tf, mlp1.apply(tf, in)); // [N, M]
    // The first convolution sees [v tiled ; coordinates]: computed without materialising the tiles.
    List<Conv2d> layers = new ArrayList<>(convs);
    layers.add(output);
    Operand<TFloat32> x =
        materializeBroadcast
            ? layers.get(0).apply(tf, SpatialBroadcast.broadcast(tf, v, imageSize, imageSize))
            : BroadcastConv.apply(tf, layers.get(0), v, imageSize, imageSize); // [N, H, W, F]
    for (Conv2d conv : layers.subList(1, layers.size())) {
      x = conv.apply(tf, x); // [N, H, W, F], finally [N, H, W, 4]
    }
    Operand<TFloat32> out = x; // [N, H, W, 4]
    SplitV<TFloat32> parts = tf.splitV(out, tf.constant(new int[] {3, 1}), tf.constant(3), 2L);
    Operand<TFloat32> means = tf.math.sigmoid(parts.output().get(0)); // [N, H, W, 3]
    Operand<TFloat32> logits = parts.output().get(1); // [N, H, W, 1]
    return new Decoded(uniformBackground ? withUniformBackground(tf, means) : means, logits);
  }

  /**
   * The background slot's (slot 0 of every video) means replaced by their spatial mean, one colour
   * per frame; the object slots' unchanged.
   *
   * @param means [N, H, W, 3], N = B * K
   */
  private Operand<TFloat32> withUniformBackground(Ops tf, Operand<TFloat32> means) {
    Operand<TFloat32> perVideo = tf.reshape(means, tf.constant(new int[] {-1, slots, imageSize * imageSize, 3})); // [B, K, H*W, 3]
    Operand<TFloat32> mean = tf.math.mean(perVideo, tf.constant(2), Mean.keepDims(true)); // [B, K, 1, 3]
    float[] background = new float[slots];
    background[0] = 1;
    Operand<TFloat32> isBackground = tf.reshape(tf.constant(background), tf.constant(new int[] {1, slots, 1, 1})); // [1, K, 1, 1]
    Operand<TFloat32> isObject = tf.math.sub(tf.constant(1f), isBackground); // [1, K, 1, 1]
    Operand<TFloat32> mixed = tf.math.add(tf.math.mul(perVideo, isObject), tf.math.mul(mean, isBackground)); // [B, K, H*W, 3]
    return tf.reshape(mixed, tf.constant(new int[] {-1, imageSize, imageSize, 3})); // [N, H, W, 3]
  }
}
