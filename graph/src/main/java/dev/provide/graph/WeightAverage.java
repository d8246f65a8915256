package dev.provide.graph;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The element-wise mean of the weights of several checkpoints of one model (MODEL.md, "Weight
 * averaging"): Polyak averaging over the last checkpoints of a run, or a "model soup" of runs
 * fine-tuned from one start. Only checkpoints that share an ancestor can be averaged usefully:
 * two independently initialised models have their slots' and units' roles in different places.
 */
public final class WeightAverage {
  private WeightAverage() {}

  /**
   * Checks that every source is a checkpoint of the same model configuration (the initialisation
   * seed aside, which only the first run's weights depended on).
   *
   * @return the configuration of the last source
   * @throws IllegalArgumentException naming the first source whose configuration differs
   */
  public static ModelConfig commonConfig(List<Checkpoints.Checkpoint> sources) throws IOException {
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no checkpoints to average");
    }
    Checkpoints.Checkpoint last = sources.get(sources.size() - 1);
    ModelConfig config = last.config();
    for (Checkpoints.Checkpoint c : sources) {
      if (!c.config().withSeed(0).equals(config.withSeed(0))) {
        throw new IllegalArgumentException("cannot average " + c.dir() + " with " + last.dir()
            + ": their model configurations (config.json) differ");
      }
    }
    return config;
  }

  /**
   * Sets every float variable of the model in {@code g} to the mean of its values in
   * {@code sources}. The graph must hold one model built by {@link InferenceGraph#build}; the
   * session's variables must already be initialised or restored (those that are not float, if
   * any, keep their values).
   *
   * @throws IOException naming the checkpoints when one of them lacks a variable or holds it in
   *     another shape
   */
  public static void assignMean(Graph g, Session s, List<Checkpoints.Checkpoint> sources) throws IOException {
    List<Output<TFloat32>> variables = TrainingGraph.ownVariables(g, Set.of(), TFloat32.class);
    Ops tf = Ops.create(g).withSubScope("weight_average");
    String[] names = variables.stream().map(v -> v.op().name()).toArray(String[]::new);
    List<List<Operand<TFloat32>>> perVariable = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      perVariable.add(new ArrayList<>());
    }
    for (Checkpoints.Checkpoint c : sources) {
      List<Output<TFloat32>> restored = c.read(tf, names);
      for (int i = 0; i < names.length; i++) {
        perVariable.get(i).add(restored.get(i));
      }
    }
    Operand<TFloat32> share = tf.constant(1f / sources.size());
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      // mean_i = (1 / N) sum_n w_i^(n), in the variable's own shape
      Operand<TFloat32> mean = tf.math.mul(tf.math.addN(perVariable.get(i)), share);
      assigns.add(tf.assign(variables.get(i), mean));
    }
    Op all = tf.withControlDependencies(assigns).noOp();
    try (org.tensorflow.Result r = s.runner().addTarget(all).run()) {
      // nothing fetched: the assignments are the work
    } catch (org.tensorflow.exceptions.TensorFlowException | IllegalArgumentException e) {
      throw new IOException("cannot average " + sources.size() + " checkpoints ("
          + dev.provide.ops.ErrorMessages.firstLine(e) + "): are they all of this model?", e);
    }
  }
}
