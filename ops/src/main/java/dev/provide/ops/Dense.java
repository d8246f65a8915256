package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A fully connected layer y = act(x W + b) that owns its variables {@code name/kernel} [in, out]
 * and {@code name/bias} [out]. Apply it as often as needed: every application shares the weights.
 */
public final class Dense {
  private final String name;
  private final int inputSize;
  private final int outputSize;
  private final Activation activation;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> bias;

  private Dense(
      String name,
      int inputSize,
      int outputSize,
      Activation activation,
      Variable<TFloat32> kernel,
      Variable<TFloat32> bias) {
    this.name = name;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    this.activation = activation;
    this.kernel = kernel;
    this.bias = bias;
  }

  /**
   * Creates the layer's variables under the name scope {@code name}.
   *
   * @param seed base seed; the kernel's initial values depend only on it and {@code name}
   */
  public static Dense create(
      Ops tf, String name, int inputSize, int outputSize, Activation activation, long seed) {
    return create(tf, name, inputSize, outputSize, activation, seed, 0f);
  }

  /** As {@link #create(Ops, String, int, int, Activation, long)} with a chosen initial bias. */
  public static Dense create(
      Ops tf,
      String name,
      int inputSize,
      int outputSize,
      Activation activation,
      long seed,
      float initialBias) {
    return create(tf, name, inputSize, outputSize, activation, Initializers.Scheme.GLOROT, seed, initialBias);
  }

  /** As {@link #create(Ops, String, int, int, Activation, long)} under an initialisation scheme. */
  public static Dense create(
      Ops tf, String name, int inputSize, int outputSize, Activation activation, Initializers.Scheme scheme, long seed) {
    return create(tf, name, inputSize, outputSize, activation, scheme, seed, 0f);
  }

  private static Dense create(
      Ops tf,
      String name,
      int inputSize,
      int outputSize,
      Activation activation,
      Initializers.Scheme scheme,
      long seed,
      float initialBias) {
    Preconditions.positive(inputSize, "Dense input size");
    Preconditions.positive(outputSize, "Dense output size");
    Ops scope = tf.withSubScope(name);
    long s = Initializers.seedFor(seed, name);
    Variable<TFloat32> kernel = Initializers.kernel(scope, "kernel", Shape.of(inputSize, outputSize), scheme, s);
    Variable<TFloat32> bias = Initializers.bias(scope, "bias", Shape.of(outputSize), inputSize, scheme, initialBias, s + 1);
    return new Dense(name, inputSize, outputSize, activation, kernel, bias);
  }

  /**
   * Applies the layer.
   *
   * @param x [N, in]
   * @return [N, out]
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    Preconditions.lastDimension(x, inputSize, name);
    Operand<TFloat32> y = tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias); // [N, out]
    return activation.apply(tf, y);
  }

  /** The kernel variable [in, out]. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** The bias variable [out]. */
  public Variable<TFloat32> bias() {
    return bias;
  }

  /** Input width. */
  public int inputSize() {
    return inputSize;
  }

  /** Output width. */
  public int outputSize() {
    return outputSize;
  }
}
