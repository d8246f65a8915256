package dev.provide.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TInt32;

/** Small helpers for dynamic shapes. */
public final class Shapes {
  private Shapes() {}

  /** The size of axis 0 of {@code x} as a scalar int32, known at run time. */
  public static Operand<TInt32> batchSize(Ops tf, Operand<?> x) {
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> first = tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.squeeze(first, Squeeze.axis(List.of(0L)));
  }
}
