package dev.provide.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TString;

/**
 * The training graph of one process with {@link Towers}: one {@link TrainingGraph} replica per
 * device, each with its own placeholders, variables and Adam state, whose gradients are averaged
 * with the other towers' (and the other workers') in one collective per step.
 *
 * <p>TensorFlow's C gradient builder gives the gradient ops it adds no device, so the placer would
 * put every tower's backward pass (and the refinement's inner gradients) on the first device. The
 * towers are therefore built in a scratch graph, every op of tower d that has no device is placed on
 * tower d's device in the GraphDef, and the result is imported into the caller's graph.
 *
 * <p>Checkpoints hold tower 0's variables under the names a one-device run uses (a saver of its
 * own over them), so a run may change its number of devices on {@code --resume}, and evaluation
 * and export read its checkpoints as any other.
 */
public final class TrainingTowers {
  private final List<TrainingGraph> towers;

  /** The name TensorFlow Java gives a graph's initialisation op ({@code Graph.INIT_OP_NAME}). */
  static final String INIT = "Init";

  private TrainingTowers(List<TrainingGraph> towers) {
    this.towers = List.copyOf(towers);
  }

  /**
   * Builds the process's towers.
   *
   * @param worker this process's place among the workers ({@link Replication#NONE} alone)
   * @param towers the devices of this process ({@link Towers#ONE}: the plain training graph)
   */
  public static TrainingTowers build(
      Graph g, ModelConfig c, int frames, TrainingGraph.Optimization optimization, TrainingGraph.Rollout rollout,
      Replication worker, Towers towers) {
    if (!towers.active()) {
      return new TrainingTowers(List.of(TrainingGraph.build(g, c, frames, optimization, rollout, worker)));
    }
    if (optimization == null) {
      throw new IllegalArgumentException("towers train: they need an optimiser");
    }
    if (g.operations().hasNext()) {
      throw new IllegalArgumentException("towers are built into an empty graph");
    }
    // Each tower in a scratch graph of its own, the graphs imported as one: the towers share no op,
    // and TensorFlow Java reads the name of every op in the graph whenever it opens a name scope,
    // so a tower built beside the others would take longer with each tower before it.
    List<Graph> scratches = new ArrayList<>();
    List<TrainingGraph> rebound = new ArrayList<>();
    try {
      List<TrainingGraph> built = new ArrayList<>();
      GraphDef.Builder all = GraphDef.newBuilder();
      for (int d = 0; d < towers.count(); d++) {
        Graph scratch = new Graph();
        scratches.add(scratch);
        built.add(TrainingGraph.build(towers.scope(Ops.create(scratch), d), c, frames, optimization,
            Unroller.Noise.STATELESS_NORMAL, rollout, worker.tower(d, towers)));
        merge(all, scratch.toGraphDef());
      }
      g.importGraphDef(placeGradients(all.build(), towers));
      for (TrainingGraph t : built) {
        rebound.add(t.rebind(g)); // by name, while the scratch graphs are open
      }
    } finally {
      scratches.forEach(Graph::close);
    }
    buildSaver(Ops.create(g), rebound.get(0).state);
    return new TrainingTowers(rebound);
  }

  /** The replicas, tower 0 first. */
  public List<TrainingGraph> all() {
    return towers;
  }

  /** Tower 0: its logged scalars are the means over every replica; its variables are checkpointed. */
  public TrainingGraph first() {
    return towers.get(0);
  }

  /**
   * Adds {@code part}'s ops to {@code all}, with one initialisation op for both: TensorFlow Java
   * names it {@value #INIT} in every graph it exports and registers its inputs as the
   * initialisers of the graph it imports into.
   */
  static void merge(GraphDef.Builder all, GraphDef part) {
    if (all.getNodeCount() == 0) {
      all.mergeFrom(part);
      return;
    }
    NodeDef.Builder init = all.getNodeBuilderList().stream().filter(n -> n.getName().equals(INIT)).findFirst().orElse(null);
    for (NodeDef node : part.getNodeList()) {
      if (node.getName().equals(INIT) && init != null) {
        init.addAllInput(node.getInputList());
      } else {
        all.addNode(node);
      }
    }
  }

  /**
   * Places each op of tower d > 0 that has no device (the gradient ops TensorFlow added) on
   * tower d's device. Tower 0's stay on the default device, which is tower 0's.
   */
  static GraphDef placeGradients(GraphDef def, Towers towers) {
    GraphDef.Builder out = def.toBuilder();
    for (NodeDef.Builder node : out.getNodeBuilderList()) {
      if (!node.getDevice().isEmpty()) {
        continue;
      }
      for (int d = 1; d < towers.count(); d++) {
        if (node.getName().startsWith(Towers.SCOPE + d + "/")) {
          node.setDevice(towers.device(d).toString());
          break;
        }
      }
    }
    return out.build();
  }

  /**
   * The save and restore ops that {@code Session.save} and {@code Session.restore} use (the names
   * {@code Graph.saverDef} looks for: save/filename, save/control_dependency, save/restore_all),
   * over {@code variables} only, each under its own name.
   */
  private static void buildSaver(Ops root, List<Output<?>> variables) {
    Ops tf = root.withSubScope("save");
    var filename = tf.withName("filename").placeholder(TString.class);
    List<String> names = new ArrayList<>();
    List<org.tensorflow.Operand<?>> values = new ArrayList<>();
    List<Class<? extends org.tensorflow.types.family.TType>> types = new ArrayList<>();
    for (Output<?> v : variables) {
      names.add(v.op().name());
      values.add(v);
      types.add(v.type());
    }
    String[] slices = new String[names.size()];
    java.util.Arrays.fill(slices, "");
    var nameTensor = tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(names.toArray(new String[0])));
    var sliceTensor = tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(slices));
    var save = tf.train.save(filename, nameTensor, sliceTensor, values);
    tf.withControlDependencies(List.of(save)).withName("control_dependency").identity(filename);
    var restore = tf.train.restore(filename, nameTensor, sliceTensor, types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      assigns.add(assign(tf, variables.get(i), restore.tensors().get(i)));
    }
    tf.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Op assign(Ops tf, Output<?> variable, org.tensorflow.Operand<?> value) {
    return tf.assign((org.tensorflow.Operand) variable, (org.tensorflow.Operand) value);
  }
}
