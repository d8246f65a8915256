package dev.provide.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The element-wise non-linearities the model's layers use. */
public enum Activation {
  /** The identity: no activation. */
  NONE,
  /** max(0, x). */
  RELU,
  /** x for x > 0, exp(x) - 1 otherwise. */
  ELU,
  /** 1 / (1 + exp(-x)). */
  SIGMOID,
  /** tanh(x). */
  TANH,
  /** log(1 + exp(x)). */
  SOFTPLUS;

  /**
   * Applies this activation element-wise.
   *
   * @param tf the ops builder
   * @param x any shape
   * @return the same shape as {@code x}
   */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    switch (this) {
      case NONE:
        return x;
      case RELU:
        return tf.nn.relu(x);
      case ELU:
        return tf.nn.elu(x);
      case SIGMOID:
        return tf.math.sigmoid(x);
      case TANH:
        return tf.math.tanh(x);
      case SOFTPLUS:
        return tf.math.softplus(x);
      default:
        throw new AssertionError(this);
    }
  }
}
