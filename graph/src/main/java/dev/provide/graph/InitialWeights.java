package dev.provide.graph;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Loads a trained model's weights into the model variables of a new training run, leaving the
 * rest of the run's state (Adam's moments, the step) as initialised: fine-tuning a shipped model,
 * or going on from a model folder, which holds no optimiser state ({@link Checkpoints#slim}).
 *
 * <p>The checkpoint's keys are the variables' op names, which a training graph's first tower
 * shares with the inference graph a model folder is written from.
 */
public final class InitialWeights {
  private InitialWeights() {}

  /**
   * Adds a restore of {@code variables} from {@code from} to {@code g} and runs it in {@code s}
   * (after the session's own initialisation).
   *
   * @throws IOException naming the checkpoint when it lacks one of the variables or holds it in
   *     another shape (a model of another configuration)
   */
  public static void load(Graph g, Session s, List<Output<TFloat32>> variables, Checkpoints.Checkpoint from)
      throws IOException {
    Ops tf = Ops.create(g).withSubScope("initial_weights");
    String[] names = variables.stream().map(v -> v.op().name()).toArray(String[]::new);
    List<Output<TFloat32>> restored = from.read(tf, names);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      assigns.add(tf.assign(variables.get(i), restored.get(i)));
    }
    Op all = tf.withControlDependencies(assigns).noOp();
    try (org.tensorflow.Result r = s.runner().addTarget(all).run()) {
      // nothing fetched: the assignments are the work
    } catch (org.tensorflow.exceptions.TensorFlowException | IllegalArgumentException e) { // shape errors are the latter
      throw new IOException("the weights of " + from.dir() + " do not fit this model (" + dev.provide.ops.ErrorMessages.firstLine(e)
          + "): start from a model of the same configuration", e);
    }
  }
}
