package dev.provide.graph;

import dev.provide.ops.Collectives;

/**
 * A replica's place in synchronous data-parallel training (docs/MODEL.md section 11): each of
 * {@code replicas} replicas holds the whole model, computes gradients on its own batch, and the
 * gradients are averaged across all replicas with one fused collective all-reduce per step, so
 * that every replica applies the same Adam update and all hold identical weights.
 *
 * @param replicas replicas in all (workers times devices per worker); 1 = no replication
 * @param index this replica's index, 0 = the chief, whose variables the others take at the start
 * @param timeoutSeconds a collective whose peers do not all arrive in this time fails
 * @param device the full name of the device the collectives run on (for example
 *     {@code /job:worker/replica:0/task:1/device:CPU:0}), or null for the graph's default
 */
public record Replication(int replicas, int index, float timeoutSeconds, String device) {
  /** One replica: plain training, no collective in the graph. */
  public static final Replication NONE = new Replication(1, 0, 0, null);

  /** The collective group of every replicated graph. */
  static final int GROUP_KEY = 1;
  /** Instance keys, one per collective of the training graph (the same on every replica). */
  static final int GRADIENTS = 1, FLOAT_STATE = 2, INTEGER_STATE = 3;

  /** Validates. */
  public Replication {
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
    }
    if (index < 0 || index >= replicas) {
      throw new IllegalArgumentException("replica index must be in [0, " + replicas + "), got " + index);
    }
  }

  /** Whether there is more than one replica (and so collectives in the graph). */
  public boolean active() {
    return replicas > 1;
  }

  /** Whether this is the chief, replica 0. */
  public boolean chief() {
    return index == 0;
  }

  /**
   * Tower {@code d}'s place when this worker runs {@code towers}: replica index * count + d of
   * replicas * count, its collectives on the tower's device of this worker's task.
   */
  public Replication tower(int d, Towers towers) {
    if (d < 0 || d >= towers.count()) {
      throw new IllegalArgumentException("tower must be in [0, " + towers.count() + "), got " + d);
    }
    String task = device == null ? "" : device.replaceFirst("/device:.*$", ""); // "/job:worker/replica:0/task:1"
    return new Replication(replicas * towers.count(), index * towers.count() + d, timeoutSeconds, task + towers.device(d));
  }

  /** The group the collectives reduce over. */
  Collectives.Group group() {
    return new Collectives.Group(replicas, GROUP_KEY, timeoutSeconds);
  }
}
