package dev.provide.ops.testing;

import dev.provide.ops.Tensors;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/** Holds the tensors fed to one run and closes them afterwards. */
public final class Feeds implements AutoCloseable {
  private final dev.provide.ops.HeldTensors held = new dev.provide.ops.HeldTensors();

  /** Keeps {@code t} until {@link #close()}. */
  public <T extends Tensor> T hold(T t) {
    return held.hold(t);
  }

  /** Feeds float values to every placeholder. */
  public Session.Runner all(
      Session.Runner runner, List<Operand<TFloat32>> inputs, List<float[]> values, List<Shape> shapes) {
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputs.get(i), hold(Tensors.floats(values.get(i), shapes.get(i).asArray())));
    }
    return runner;
  }

  @Override
  public void close() {
    held.close();
  }
}
