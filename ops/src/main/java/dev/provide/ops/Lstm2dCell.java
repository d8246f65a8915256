package dev.provide.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The 2D-LSTM cell of the spatio-temporal refinement (MODEL.md section 3). It has two incoming
 * states: the temporal one from the previous frame and the refinement one from the previous step
 * of the same frame. With a = W_x x + W_t h_tem + W_r h_ref + b split into five blocks:
 *
 * <pre>
 *   i = sigmoid(a0), f = sigmoid(a1), o = sigmoid(a2), g = sigmoid(a3), c~ = tanh(a4)
 *   c = f * (g * c_tem + (1 - g) * c_ref) + i * c~
 *   h = o * tanh(c)
 * </pre>
 *
 * g is the learned gate that mixes the two incoming memories. Variables: {@code name/input}
 * [in, 5H], {@code name/temporal} [H, 5H], {@code name/refinement} [H, 5H], {@code name/bias} [5H]
 * (forget-gate block initialised to 1).
 */
public final class Lstm2dCell {
  /** Initial bias of the forget gate, so memories are kept at the start of training. */
  public static final float FORGET_BIAS = 1f;

  private final int inputSize;
  private final int hiddenSize;
  private final Variable<TFloat32> inputWeights;
  private final Variable<TFloat32> temporalWeights;
  private final Variable<TFloat32> refinementWeights;
  private final Variable<TFloat32> bias;

  /** An LSTM state: hidden output h and memory c, both [N, H]. */
  public record State(Operand<TFloat32> h, Operand<TFloat32> c) {}

  private Lstm2dCell(
      int inputSize,
      int hiddenSize,
      Variable<TFloat32> inputWeights,
      Variable<TFloat32> temporalWeights,
      Variable<TFloat32> refinementWeights,
      Variable<TFloat32> bias) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.inputWeights = inputWeights;
    this.temporalWeights = temporalWeights;
    this.refinementWeights = refinementWeights;
    this.bias = bias;
  }

  /** Creates the cell's variables under the name scope {@code name} (Glorot kernels, forget bias 1). */
  public static Lstm2dCell create(Ops tf, String name, int inputSize, int hiddenSize, long seed) {
    return create(tf, name, inputSize, hiddenSize, Initializers.Scheme.GLOROT, seed);
  }

  /**
   * Creates the cell's variables under an initialisation scheme. Under PyTorch's, the cell starts
   * as three {@code nn.Linear} layers would (the reference code's cell): each kernel uniform in
   * +-1/sqrt(its fan-in), and the one bias the sum of three such uniform biases, no forget bias.
   */
  public static Lstm2dCell create(Ops tf, String name, int inputSize, int hiddenSize, Initializers.Scheme scheme, long seed) {
    Preconditions.positive(inputSize, "Lstm2dCell input size");
    Preconditions.positive(hiddenSize, "Lstm2dCell hidden size");
    Ops scope = tf.withSubScope(name);
    long s = Initializers.seedFor(seed, name);
    Variable<TFloat32> wx = Initializers.kernel(scope, "input", Shape.of(inputSize, 5L * hiddenSize), scheme, s);
    Variable<TFloat32> wt = Initializers.kernel(scope, "temporal", Shape.of(hiddenSize, 5L * hiddenSize), scheme, s + 1);
    Variable<TFloat32> wr = Initializers.kernel(scope, "refinement", Shape.of(hiddenSize, 5L * hiddenSize), scheme, s + 2);
    Shape biasShape = Shape.of(5L * hiddenSize);
    Operand<TFloat32> init;
    if (scheme == Initializers.Scheme.GLOROT) {
      float[] b = new float[5 * hiddenSize];
      java.util.Arrays.fill(b, hiddenSize, 2 * hiddenSize, FORGET_BIAS);
      init = scope.constant(biasShape, DataBuffers.of(b, true, false));
    } else {
      init = scope.math.add(
          scope.math.add(
              Initializers.uniformValues(scope, biasShape, 1 / Math.sqrt(inputSize), s + 3),
              Initializers.uniformValues(scope, biasShape, 1 / Math.sqrt(hiddenSize), s + 4)),
          Initializers.uniformValues(scope, biasShape, 1 / Math.sqrt(hiddenSize), s + 5)); // [5H]
    }
    Variable<TFloat32> bias = scope.withName("bias").variable(init);
    return new Lstm2dCell(inputSize, hiddenSize, wx, wt, wr, bias);
  }

  /**
   * One step of the cell.
   *
   * @param x [N, in]
   * @param temporal the state carried from the previous frame, [N, H] each
   * @param refinement the state from the previous refinement step of this frame, [N, H] each
   * @return the new state, [N, H] each
   */
  public State apply(Ops tf, Operand<TFloat32> x, State temporal, State refinement) {
    Preconditions.lastDimension(x, inputSize, "Lstm2dCell");
    Operand<TFloat32> a =
        tf.math.add(
            tf.math.add(
                tf.math.add(
                    tf.linalg.matMul(x, inputWeights),
                    tf.linalg.matMul(temporal.h(), temporalWeights)),
                tf.linalg.matMul(refinement.h(), refinementWeights)),
            bias); // [N, 5H]
    Split<TFloat32> blocks = tf.split(tf.constant(1), a, 5L); // 5 x [N, H]
    Operand<TFloat32> i = tf.math.sigmoid(blocks.output().get(0));
    Operand<TFloat32> f = tf.math.sigmoid(blocks.output().get(1));
    Operand<TFloat32> o = tf.math.sigmoid(blocks.output().get(2));
    Operand<TFloat32> g = tf.math.sigmoid(blocks.output().get(3));
    Operand<TFloat32> candidate = tf.math.tanh(blocks.output().get(4));
    // c_mix = g * c_tem + (1 - g) * c_ref = c_ref + g * (c_tem - c_ref)
    Operand<TFloat32> mixed =
        tf.math.add(refinement.c(), tf.math.mul(g, tf.math.sub(temporal.c(), refinement.c())));
    Operand<TFloat32> c = tf.math.add(tf.math.mul(f, mixed), tf.math.mul(i, candidate)); // [N, H]
    Operand<TFloat32> h = tf.math.mul(o, tf.math.tanh(c)); // [N, H]
    return new State(h, c);
  }

  /** A zero state with as many rows as {@code like} has on axis 0. */
  public State zeroState(Ops tf, Operand<?> like) {
    Operand<TInt32> dims = tf.stack(List.of(Shapes.batchSize(tf, like), tf.constant(hiddenSize)));
    Operand<TFloat32> zeros = tf.zeros(dims, TFloat32.class); // [N, H]
    return new State(zeros, zeros);
  }

  /** The variables in the order input [in, 5H], temporal [H, 5H], refinement [H, 5H], bias [5H]. */
  public List<Variable<TFloat32>> variables() {
    return List.of(inputWeights, temporalWeights, refinementWeights, bias);
  }

  /** Hidden size H. */
  public int hiddenSize() {
    return hiddenSize;
  }

  /** Input size. */
  public int inputSize() {
    return inputSize;
  }
}
