package dev.provide.graph;

import dev.provide.ops.Initializers;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * All of the model's variables for one graph: the posterior initialisation lambda_0, the
 * decoder, the refinement network and the conditional prior. Created once per graph and applied
 * at every frame and refinement step (shared weights). Variable names do not depend on the graph
 * (training, inference, export), so one checkpoint restores into any of them.
 */
public final class Model {
  private final ModelConfig config;
  private final Variable<TFloat32> lambda0;
  private final Variable<TFloat32> backgroundLambda0;
  private final Decoder decoder;
  private final RefinementNetwork refinement;
  private final ConditionalPrior prior;

  private Model(
      ModelConfig config,
      Variable<TFloat32> lambda0,
      Variable<TFloat32> backgroundLambda0,
      Decoder decoder,
      RefinementNetwork refinement,
      ConditionalPrior prior) {
    this.config = config;
    this.lambda0 = lambda0;
    this.backgroundLambda0 = backgroundLambda0;
    this.decoder = decoder;
    this.refinement = refinement;
    this.prior = prior;
  }

  /** Creates every variable of the model in the graph of {@code tf}. */
  public static Model create(Ops tf, ModelConfig c) {
    Ops root = tf.withSubScope("model");
    Variable<TFloat32> lambda0 =
        Initializers.uniform(root, "lambda0", Shape.of(2L * c.latentSize()), -0.5, 0.5, Initializers.seedFor(c.seed(), "lambda0"));
    // The background slot's own lambda_0 [2D], so that the refinement can tell slot 0 apart.
    Variable<TFloat32> background =
        c.hasBackgroundSlot()
            ? Initializers.uniform(
                root, "lambda0Background", Shape.of(2L * c.latentSize()), -0.5, 0.5,
                Initializers.seedFor(c.seed(), "lambda0Background"))
            : null;
    ConditionalPrior prior = c.temporal().conditionalPrior() ? ConditionalPrior.create(root, c) : null;
    return new Model(c, lambda0, background, Decoder.create(root, c), RefinementNetwork.create(root, c), prior);
  }

  /** The configuration. */
  public ModelConfig config() {
    return config;
  }

  /** lambda_0 [2D], the same for every slot (every object slot when there is a background slot). */
  public Variable<TFloat32> lambda0() {
    return lambda0;
  }

  /**
   * lambda_0 of every slot, [K, 2D]: the background's in row 0 when there is a background slot,
   * the shared one in every other row.
   */
  public Operand<TFloat32> slotLambda0(Ops tf) {
    int k = config.slots();
    Operand<TFloat32> row = tf.expandDims(lambda0, tf.constant(0)); // [1, 2D]
    if (backgroundLambda0 == null) {
      return tf.tile(row, tf.constant(new int[] {k, 1})); // [K, 2D]
    }
    Operand<TFloat32> objects = tf.tile(row, tf.constant(new int[] {k - 1, 1})); // [K-1, 2D]
    return tf.concat(List.of(tf.expandDims(backgroundLambda0, tf.constant(0)), objects), tf.constant(0)); // [K, 2D]
  }

  /** The background slot's lambda_0 [2D], or null when there is no background slot. */
  public Variable<TFloat32> backgroundLambda0() {
    return backgroundLambda0;
  }

  /** The decoder. */
  public Decoder decoder() {
    return decoder;
  }

  /** The refinement network. */
  public RefinementNetwork refinement() {
    return refinement;
  }

  /** The conditional prior, or null when the prior is N(0, I). */
  public ConditionalPrior prior() {
    return prior;
  }
}
