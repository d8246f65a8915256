package dev.provide.ops;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Collective reductions across the replicas of a data-parallel training run, on TensorFlow's own
 * runtime ({@code CollectiveReduceV2}: the ring all-reduce that TensorFlow's multi-worker
 * strategies use, over gRPC between processes and in memory between devices of one process).
 *
 * <p>Many tensors are reduced in one fused collective: each is flattened, all are concatenated,
 * reduced once, and split back to their shapes. Every replica must build the same collectives
 * with the same group and instance keys and the same tensor sizes, in the same order.
 */
public final class Collectives {
  private Collectives() {}

  /**
   * The replicas that reduce together.
   *
   * @param size replicas in the group (all workers' devices together)
   * @param key the group's key, the same on every replica
   * @param timeoutSeconds a collective whose peers do not all arrive within this time fails
   *     (0 = wait for ever)
   */
  public record Group(int size, int key, float timeoutSeconds) {
    /** Validates. */
    public Group {
      if (size < 1) {
        throw new IllegalArgumentException("a collective group needs at least one replica, got " + size);
      }
      if (!(timeoutSeconds >= 0) || Float.isInfinite(timeoutSeconds)) {
        throw new IllegalArgumentException("collective timeout must be a finite number of seconds >= 0, got " + timeoutSeconds);
      }
    }
  }

  /**
   * The element-wise mean over the group of each tensor, in one fused collective.
   *
   * @param instanceKey unique per collective of the graph, the same on every replica
   * @param device where the collective runs (a full device name), or null for the scope's
   * @return one tensor per input, of its shape
   */
  public static <T extends TNumber> List<Operand<T>> mean(
      Ops tf, List<? extends Operand<T>> tensors, Group group, int instanceKey, String device) {
    return fused(tf, tensors, group, instanceKey, device, "Div");
  }

  /**
   * The element-wise sum over the group of each tensor, in one fused collective. With zeros on
   * every replica but one, it broadcasts that replica's values exactly (x + 0 = x).
   */
  public static <T extends TNumber> List<Operand<T>> sum(
      Ops tf, List<? extends Operand<T>> tensors, Group group, int instanceKey, String device) {
    return fused(tf, tensors, group, instanceKey, device, "Id");
  }

  private static <T extends TNumber> List<Operand<T>> fused(
      Ops tf, List<? extends Operand<T>> tensors, Group group, int instanceKey, String device, String finalOp) {
    if (tensors.isEmpty()) {
      return List.of();
    }
    List<Operand<T>> flat = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    long[] sizes = new long[tensors.size()];
    for (int i = 0; i < tensors.size(); i++) {
      Operand<T> x = tensors.get(i);
      Shape shape = x.shape();
      if (shape.hasUnknownDimension()) {
        throw new IllegalArgumentException("a fused collective needs static shapes, got " + shape + " for " + x.op().name());
      }
      shapes.add(shape);
      sizes[i] = shape.size();
      flat.add(tf.reshape(x, tf.constant(new long[] {-1}))); // [size_i]
    }
    Operand<T> joined = flat.size() == 1 ? flat.get(0) : tf.concat(flat, tf.constant(0)); // [sum size_i]
    Operand<T> reduced = reduce(tf, joined, group, instanceKey, device, finalOp); // [sum size_i]
    List<Operand<T>> parts = new ArrayList<>();
    if (flat.size() == 1) {
      parts.add(reduced);
    } else {
      parts.addAll(tf.splitV(reduced, tf.constant(sizes), tf.constant(0), (long) sizes.length).output());
    }
    List<Operand<T>> out = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      out.add(tf.reshape(parts.get(i), tf.constant(shapes.get(i).asArray()))); // shape_i
    }
    return out;
  }

  /** One CollectiveReduceV2 (merge by addition, then {@code finalOp}: "Div" for the mean, "Id" for the sum). */
  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> reduce(
      Ops tf, Operand<T> x, Group group, int instanceKey, String device, String finalOp) {
    Operand<TInt32> size = tf.constant(group.size());
    Operand<TInt32> key = tf.constant(group.key());
    Operand<TInt32> instance = tf.constant(instanceKey);
    OperationBuilder b = tf.scope().opBuilder("CollectiveReduceV2", "CollectiveReduceV2"); // the scope makes the name unique
    b.addInput(x.asOutput());
    b.addInput(size.asOutput());
    b.addInput(key.asOutput());
    b.addInput(instance.asOutput());
    b.addInputList(new Output<?>[0]); // ordering_token: none
    b.setAttr("merge_op", "Add");
    b.setAttr("final_op", finalOp);
    b.setAttr("communication_hint", "auto");
    b.setAttr("timeout_seconds", group.timeoutSeconds());
    if (device != null) {
      b.setDevice(device);
    }
    return (Output<T>) (Output<?>) b.build().output(0);
  }
}
