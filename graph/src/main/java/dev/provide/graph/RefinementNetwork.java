package dev.provide.graph;

import dev.provide.ops.Activation;
import dev.provide.ops.Conv2d;
import dev.provide.ops.Dense;
import dev.provide.ops.Lstm2dCell;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The refinement network (MODEL.md section 4): convolutions with ELU over the image inputs,
 * average pooling, flatten, a dense layer with ELU, concatenation with the vector inputs, the
 * 2D-LSTM, and a dense output to delta lambda.
 */
public final class RefinementNetwork {
  /**
   * One refinement step's result.
   *
   * @param deltaLambda the update of the posterior parameters, [N, 2D]
   * @param state the 2D-LSTM's new state, [N, L] each
   */
  public record Step(Operand<TFloat32> deltaLambda, Lstm2dCell.State state) {}

  private final List<Conv2d> convs;
  private final int pool;
  private final int flatSize;
  private final Dense dense;
  private final Lstm2dCell lstm;
  private final Dense output;

  private RefinementNetwork(List<Conv2d> convs, int pool, int flatSize, Dense dense, Lstm2dCell lstm, Dense output) {
    this.convs = convs;
    this.pool = pool;
    this.flatSize = flatSize;
    this.dense = dense;
    this.lstm = lstm;
    this.output = output;
  }

  /** Creates the network's variables under {@code refinement/}. */
  public static RefinementNetwork create(Ops tf, ModelConfig c) {
    Ops s = tf.withSubScope("refinement");
    ModelConfig.Refinement r = c.refinement();
    List<Conv2d> convs = new ArrayList<>();
    int in = c.refinementInputChannels();
    for (int i = 0; i < r.convs(); i++) {
      convs.add(Conv2d.create(s, "conv" + i, r.kernel(), in, r.filters(), r.stride(), Activation.ELU, c.initialisation(), c.seed()));
      in = r.filters();
    }
    int side = c.refinementFeatureSize();
    int flat = side * side * r.filters();
    Dense dense = Dense.create(s, "dense", flat, r.dense(), Activation.ELU, c.initialisation(), c.seed());
    int vector = RefinementInputs.vectorSize(c.latentSize());
    Lstm2dCell lstm = Lstm2dCell.create(s, "lstm", r.dense() + vector, c.lstmSize(), c.initialisation(), c.seed());
    Dense output = Dense.create(s, "output", c.lstmSize(), 2 * c.latentSize(), Activation.NONE, c.initialisation(), c.seed());
    return new RefinementNetwork(convs, r.pool(), flat, dense, lstm, output);
  }

  /**
   * One refinement step.
   *
   * @param image the image inputs [N, H, W, C_in]
   * @param vector the vector inputs [N, 4D]
   * @param temporal the temporal state carried from the previous frame
   * @param refinement the state of the previous step of this frame
   */
  public Step apply(
      Ops tf, Operand<TFloat32> image, Operand<TFloat32> vector, Lstm2dCell.State temporal, Lstm2dCell.State refinement) {
    Operand<TFloat32> x = image;
    for (Conv2d conv : convs) {
      x = conv.apply(tf, x); // [N, H', W', F]
    }
    if (pool == 0) {
      x = tf.math.mean(x, tf.constant(new int[] {1, 2})); // [N, F]
    } else if (pool > 1) {
      List<Long> window = List.of(1L, (long) pool, (long) pool, 1L);
      x = tf.nn.avgPool(x, window, window, "VALID"); // [N, H'/p, W'/p, F]
    }
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new int[] {-1, flatSize})); // [N, S*S*F]
    Operand<TFloat32> features = dense.apply(tf, flat); // [N, dense]
    Operand<TFloat32> lstmIn = tf.concat(List.of(features, vector), tf.constant(1)); // [N, dense + 4D]
    Lstm2dCell.State state = lstm.apply(tf, lstmIn, temporal, refinement); // [N, L]
    return new Step(output.apply(tf, state.h()), state); // [N, 2D]
  }

  /** A zero LSTM state with N = rows of {@code like}. */
  public Lstm2dCell.State zeroState(Ops tf, Operand<?> like) {
    return lstm.zeroState(tf, like);
  }
}
