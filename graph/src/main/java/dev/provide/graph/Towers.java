package dev.provide.graph;

import org.tensorflow.DeviceSpec;
import org.tensorflow.op.Ops;

/**
 * Several devices of one process, each holding a whole replica of the model (a "tower") that
 * trains on its own rows of the process's batch (docs/MODEL.md section 11). The towers' gradients
 * are averaged with the same collective all-reduce as the workers' of a cluster, so N towers on
 * each of M workers are N x M replicas of one data-parallel step.
 *
 * @param count towers in this process (1 = the model on one device, no towers)
 * @param type the devices' kind: GPUs where the process has them, else CPU devices (TensorFlow makes
 *     as many as the session configuration's device count asks for; they share the process's
 *     threads, so on a CPU towers are for tests and for trying a GPU recipe)
 */
public record Towers(int count, DeviceSpec.DeviceType type) {
  /** One device: no towers. */
  public static final Towers ONE = new Towers(1, DeviceSpec.DeviceType.CPU);

  /** The name scope of tower {@code d} > 0 (tower 0 keeps the plain names, the checkpoints' names). */
  static final String SCOPE = "tower";

  /** Validates. */
  public Towers {
    if (count < 1) {
      throw new IllegalArgumentException("--devices must be >= 1, got " + count);
    }
    if (type != DeviceSpec.DeviceType.CPU && type != DeviceSpec.DeviceType.GPU) {
      throw new IllegalArgumentException("towers run on CPU or GPU devices, not " + type);
    }
  }

  /** Whether there is more than one tower. */
  public boolean active() {
    return count > 1;
  }

  /** The device of tower {@code d} within this process. */
  public DeviceSpec device(int d) {
    return DeviceSpec.newBuilder().deviceType(type).deviceIndex(d).build();
  }

  /** The scope tower {@code d} is built on: its name scope (none for tower 0) and its device. */
  Ops scope(Ops root, int d) {
    return (d == 0 ? root : root.withSubScope(SCOPE + d)).withDevice(device(d));
  }

  /**
   * The rows of a process's batch of {@code batch} that tower {@code d} trains on: [from, from + rows).
   *
   * @return {from, rows}
   */
  public int[] rows(int batch, int d) {
    int rows = batch / count;
    return new int[] {d * rows, rows};
  }

  /**
   * Checks that a batch splits evenly over the towers.
   *
   * @throws IllegalArgumentException saying which batches would
   */
  public void checkBatch(int batch) {
    if (batch % count != 0) {
      throw new IllegalArgumentException("--batch " + batch + " does not split evenly over --devices " + count
          + ": each device trains on batch / devices sequences; use a multiple of " + count);
    }
  }
}
