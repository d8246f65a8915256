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
 * PyTorch does) with TensorFlow's fused {@code ApplyAdam} kernel, its moment slots named
 * {@code optimizer/<variable>/m} and {@code .../v} so that checkpoints keep them (and
 * {@code --resume} continues with the same optimiser state), and a step counter.
 *
 * <p>Written here because {@code tensorflow-framework} 1.1.0's Adam names its slots
 * {@code <variable>-m}, which TensorFlow Java rejects for any variable inside a name scope.
 */
public final class AdamOptimizer {
  /** Adam's usual constants. */
  public static final float BETA1 = 0.9f, BETA2 = 0.999f, EPSILON = 1e-8f;

  private AdamOptimizer() {}

  /**
   * The update op and the step counter.
   *
   * @param apply runs one Adam step on every variable
   * @param step the number of steps applied so far (int64 scalar variable)
   */
  public record Update(Op apply, Variable<TInt64> step) {}

  /**
   * Builds one Adam update of {@code variables} with {@code gradients}.
   *
   * @param learningRate step size (a scalar operand, so it can be fed or scheduled)
   */
  public static Update build(
      Ops tf, List<Output<TFloat32>> variables, List<Operand<TFloat32>> gradients, Operand<TFloat32> learningRate) {
    if (variables.size() != gradients.size()) {
      throw new IllegalArgumentException("one gradient per variable");
    }
    Ops opt = tf.withSubScope("optimizer");
    Variable<TFloat32> beta1Power = opt.withName("beta1_power").variable(opt.constant(BETA1));
    Variable<TFloat32> beta2Power = opt.withName("beta2_power").variable(opt.constant(BETA2));
    Variable<TInt64> step = opt.withName("step").variable(opt.constant(0L));
    // Kingma and Ba's Algorithm 1 (and PyTorch) add epsilon to the bias-corrected sqrt(v_hat);
    // ApplyAdam adds it to the uncorrected sqrt(v), so pass epsilon * sqrt(1 - beta2^t) to get
    // the former exactly (the two differ for gradients near epsilon in the first thousand steps).
    Operand<TFloat32> epsilon =
        opt.math.mul(opt.constant(EPSILON), opt.math.sqrt(opt.math.sub(opt.constant(1f), beta2Power)));
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Output<TFloat32> var = variables.get(i);
      String name = var.op().name();
      Ops slot = opt;
      for (String part : name.split("/")) {
        slot = slot.withSubScope(part);
      }
      Variable<TFloat32> m = slot.withName("m").variable(slot.zerosLike(var));
      Variable<TFloat32> v = slot.withName("v").variable(slot.zerosLike(var));
      updates.add(
          opt.train.applyAdam(
              var, m, v, beta1Power, beta2Power, learningRate,
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
