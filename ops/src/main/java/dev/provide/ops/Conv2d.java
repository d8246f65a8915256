package dev.provide.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A 2D convolution over NHWC images, y = act(conv(x, W) + b), SAME padding, square kernel and
 * stride. Owns {@code name/kernel} [k, k, in, out] and {@code name/bias} [out].
 */
public final class Conv2d {
  private final String name;
  private final int kernelSize;
  private final int inputChannels;
  private final int outputChannels;
  private final int stride;
  private final Activation activation;
  private final Variable<TFloat32> kernel;
  private final Variable<TFloat32> bias;

  private Conv2d(
      String name,
      int kernelSize,
      int inputChannels,
      int outputChannels,
      int stride,
      Activation activation,
      Variable<TFloat32> kernel,
      Variable<TFloat32> bias) {
    this.name = name;
    this.kernelSize = kernelSize;
    this.inputChannels = inputChannels;
    this.outputChannels = outputChannels;
    this.stride = stride;
    this.activation = activation;
    this.kernel = kernel;
    this.bias = bias;
  }

  /** Creates the layer's variables under the name scope {@code name}. */
  public static Conv2d create(
      Ops tf,
      String name,
      int kernelSize,
      int inputChannels,
      int outputChannels,
      int stride,
      Activation activation,
      long seed) {
    return create(tf, name, kernelSize, inputChannels, outputChannels, stride, activation, Initializers.Scheme.GLOROT, seed);
  }

  /** As {@link #create(Ops, String, int, int, int, int, Activation, long)} under an initialisation scheme. */
  public static Conv2d create(
      Ops tf,
      String name,
      int kernelSize,
      int inputChannels,
      int outputChannels,
      int stride,
      Activation activation,
      Initializers.Scheme scheme,
      long seed) {
    Preconditions.positive(kernelSize, "Conv2d kernel size");
    Preconditions.positive(inputChannels, "Conv2d input channels");
    Preconditions.positive(outputChannels, "Conv2d output channels");
    Preconditions.positive(stride, "Conv2d stride");
    Ops scope = tf.withSubScope(name);
    long s = Initializers.seedFor(seed, name);
    Shape shape = Shape.of(kernelSize, kernelSize, inputChannels, outputChannels);
    Variable<TFloat32> kernel = Initializers.kernel(scope, "kernel", shape, scheme, s);
    Variable<TFloat32> bias =
        Initializers.bias(scope, "bias", Shape.of(outputChannels), Initializers.fanIn(shape), scheme, 0f, s + 1);
    return new Conv2d(
        name, kernelSize, inputChannels, outputChannels, stride, activation, kernel, bias);
  }

  /**
   * Applies the layer.
   *
   * @param x [N, H, W, in]
   * @return [N, ceil(H / stride), ceil(W / stride), out]
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    Preconditions.rank(x, 4, name + " input");
    Preconditions.lastDimension(x, inputChannels, name);
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    Operand<TFloat32> y = tf.nn.conv2d(x, kernel, strides, "SAME"); // [N, H', W', out]
    return activation.apply(tf, tf.nn.biasAdd(y, bias));
  }

  /** The kernel variable [k, k, in, out]. */
  public Variable<TFloat32> kernel() {
    return kernel;
  }

  /** The bias variable [out]. */
  public Variable<TFloat32> bias() {
    return bias;
  }

  /** The activation applied after the bias. */
  public Activation activation() {
    return activation;
  }

  /** Input channels. */
  public int inputChannels() {
    return inputChannels;
  }

  /** Kernel height and width. */
  public int kernelSize() {
    return kernelSize;
  }

  /** Stride in both spatial directions. */
  public int stride() {
    return stride;
  }

  /** Output channels. */
  public int outputChannels() {
    return outputChannels;
  }
}
