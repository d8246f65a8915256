package dev.provide.ops;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Tensor;

/**
 * Tensors made for one session run (a variable number of feeds, such as one per tower), closed
 * together: {@code try (HeldTensors feeds = new HeldTensors()) { runner.feed(x, feeds.hold(t)); ... }}.
 */
public final class HeldTensors implements AutoCloseable {
  private final List<Tensor> held = new ArrayList<>();

  /** Keeps {@code t} until {@link #close()}, and returns it. */
  public <T extends Tensor> T hold(T t) {
    held.add(t);
    return t;
  }

  /** Closes every tensor held. */
  @Override
  public void close() {
    for (Tensor t : held) {
      t.close();
    }
    held.clear();
  }
}
