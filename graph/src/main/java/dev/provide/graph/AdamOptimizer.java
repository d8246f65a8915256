package dev.provide.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Adam (Kingma and Ba, Algorithm 1: epsilon added to the bias-corrected second-moment root, as
 * PyTorch does) with TensorFlow's fused {@code ApplyAdam} kernel, its moment slots named after
 * their variables ({@code m} and {@code v} in a scope per part of the variable's name; in a
 * training graph {@code optimizer_1/model_<i>/<layer>/<name>/m}, the names earlier checkpoints hold)
 * so that {@code --resume} continues with the same optimiser state, and a step counter.
 *
 * <p>Written here because {@code tensorflow-framework} 1.1.0's Adam names its slots
 * {@code <variable>-m}, which TensorFlow Java rejects for any variable inside a name scope.
 */
public final class AdamOptimizer {
  /** Adam's usual constants. */
  public static final float BETA1 = 0.9f, BETA2 = 0.999f, EPSILON = 1e-8f;

  private final Ops opt;
  private final List<Output<TFloat32>> variables;
  private final List<Variable<TFloat32>> m = new ArrayList<>(), v = new ArrayList<>();
  private final Variable<TFloat32> beta1Power, beta2Power;
  private final Variable<TInt64> step;
  private final Operand<TFloat32> epsilon;

  /**
   * The update op and the step counter.
   *
   * @param apply runs one Adam step on every variable
   * @param step the number of steps applied so far (int64 scalar variable)
   */
  public record Update(Op apply, Variable<TInt64> step) {}

  private AdamOptimizer(Ops tf, List<Output<TFloat32>> variables) {
    this.opt = tf.withSubScope("optimizer");
    this.variables = List.copyOf(variables);
    beta1Power = opt.withName("beta1_power").variable(opt.constant(BETA1));
    beta2Power = opt.withName("beta2_power").variable(opt.constant(BETA2));
    step = opt.withName("step").variable(opt.constant(0L));
    // Kingma and Ba's Algorithm 1 (and PyTorch) add epsilon to the bias-corrected sqrt(v_hat);
    // ApplyAdam adds it to the uncorrected sqrt(v), so pass epsilon * sqrt(1 - beta2^t) to get
    // the former exactly (the two differ for gradients near epsilon in the first thousand steps).
    epsilon = opt.math.mul(opt.constant(EPSILON), opt.math.sqrt(opt.math.sub(opt.constant(1f), beta2Power)));
    for (Output<TFloat32> var : this.variables) {
      Ops slot = opt;
      for (String part : var.op().name().split("/")) {
        slot = slot.withSubScope(part);
      }
      m.add(slot.withName("m").variable(slot.zerosLike(var)));
      v.add(slot.withName("v").variable(slot.zerosLike(var)));
    }
  }

  /**
   * Creates the optimiser's state for {@code variables}: the moment slots, the powers of the betas
   * and the step counter, under a new {@code optimizer} name scope.
   *
   * <p>Create it right after the variables, before the model's graph: TensorFlow Java 1.1.0 reads
   * the name of every operation in the graph each time it opens a name scope, and the slots open
   * a few for each variable. Made after the unrolled model and its gradient (about 21,600
   * operations for the {@code cpu} preset), they took 12-13 s of a 14 s graph build.
   */
  public static AdamOptimizer create(Ops tf, List<Output<TFloat32>> variables) {
    return new AdamOptimizer(tf, variables);
  }

  /**
   * Builds one Adam update of the variables with {@code gradients} (one per variable, in order).
   *
   * @param learningRate step size (a scalar operand, so it can be fed or scheduled)
   */
  public Update update(List<Operand<TFloat32>> gradients, Operand<TFloat32> learningRate) {
    if (variables.size() != gradients.size()) {
      throw new IllegalArgumentException("one gradient per variable");
    }
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      updates.add(
          opt.train.applyAdam(
              variables.get(i), m.get(i), v.get(i), beta1Power, beta2Power, learningRate,
              opt.constant(BETA1), opt.constant(BETA2), epsilon, gradients.get(i)));
    }
    Ops after = opt.withControlDependencies(updates);
    List<Op> finish = new ArrayList<>();
    finish.add(after.assign(beta1Power, after.math.mul(beta1Power, after.constant(BETA1))));
    finish.add(after.assign(beta2Power, after.math.mul(beta2Power, after.constant(BETA2))));
    finish.add(after.assignAdd(step, after.constant(1L)));
    Op apply = opt.withControlDependencies(finish).withName("train").noOp();
    return new Update(apply, step);
  }
}
