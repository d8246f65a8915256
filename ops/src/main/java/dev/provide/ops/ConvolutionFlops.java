package dev.provide.ops;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;

/**
 * Counts the floating-point operations of the 2-D convolutions a run of a graph executes: every
 * {@code Conv2D}, {@code Conv2DBackpropInput} and {@code Conv2DBackpropFilter} that the given
 * targets depend on, two operations (a multiply and an add) per multiply-add. Convolutions are
 * nine tenths of a training step here (docs/PERFORMANCE.md), so the count divided by a step's time
 * says how close the step runs to what the machine's convolution kernels reach.
 *
 * <p>A convolution of an [N, H, W, C_in] input by a [k_h, k_w, C_in, C_out] filter to an
 * [N, H', W', C_out] output costs 2 N H' W' k_h k_w C_in C_out, and so does each of its two
 * gradients (with respect to the input, and to the filter). Shapes are read from the graph
 * (NHWC, as every convolution of this project); a leading dimension that is only known when the
 * graph runs (the batch, or batch times slots) is taken as {@code leadingDim}.
 */
public final class ConvolutionFlops {
  private ConvolutionFlops() {}

  /**
   * Floating-point operations by kind.
   *
   * @param forward the convolutions themselves
   * @param inputGradients gradients with respect to their inputs
   * @param filterGradients gradients with respect to their filters
   */
  public record Count(double forward, double inputGradients, double filterGradients) {
    /** All three together. */
    public double total() {
      return forward + inputGradients + filterGradients;
    }
  }

  /**
   * Counts the convolutions that running {@code targets} executes.
   *
   * @param leadingDim what an unknown leading dimension stands for (every convolution of this
   *     project runs on [B*K, H, W, C] or on a known single image)
   * @throws IllegalArgumentException when a convolution's other dimensions are not known when
   *     the graph is built
   */
  public static Count of(Set<GraphOperation> targets, long leadingDim) {
    Preconditions.positive(leadingDim, "leading dimension");
    double forward = 0, input = 0, filter = 0;
    for (GraphOperation op : ancestors(targets)) {
      switch (op.type()) {
        case "Conv2D" -> // (input, filter) -> output
            forward += flops(op, op.input(0).shape(), op.input(1).shape(), leadingDim);
        case "Conv2DBackpropInput" -> // (input_sizes, filter, out_backprop) -> input gradient
            input += flops(op, knownShape(op, op.output(0).shape(), op.input(0)), op.input(1).shape(), leadingDim);
        case "Conv2DBackpropFilter" -> // (input, filter_sizes, out_backprop) -> filter gradient
            filter += flops(op, op.input(0).shape(), knownShape(op, op.output(0).shape(), op.input(1)), leadingDim);
        default -> {}
      }
    }
    return new Count(forward, input, filter);
  }

  /**
   * The targets and every op they depend on, through inputs and control inputs. Our own walk:
   * TensorFlow Java 1.1.0's {@code Graph.subgraphToOps} found only one of the three gradient
   * convolutions of a two-layer network ({@code ConvolutionFlopsTest}).
   */
  private static Set<GraphOperation> ancestors(Set<GraphOperation> targets) {
    Set<GraphOperation> seen = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>(targets);
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (seen.add(op)) {
        for (Operand<?> in : op.inputs()) {
          todo.push((GraphOperation) in.op());
        }
        todo.addAll(op.controlInputs());
      }
    }
    return seen;
  }

  /**
   * The shape a gradient op produces: its own static shape where shape inference knows it, else
   * that of the tensor whose {@code Shape} feeds its size input (how gradients of a convolution
   * are built).
   */
  private static Shape knownShape(GraphOperation op, Shape own, Output<?> sizes) {
    if (!own.isUnknown() && own.numDimensions() == 4 && knownBeyondLeading(own)) {
      return own;
    }
    if (sizes.op().type().equals("Shape")) {
      return ((GraphOperation) sizes.op()).input(0).shape();
    }
    throw new IllegalArgumentException(op.name() + ": the size of its result is not known when the graph is built");
  }

  /**
   * 2 N H' W' k_h k_w C_in C_out for a convolution of an [N, H, W, C_in] input by {@code kernel},
   * H' and W' from its strides and padding.
   */
  private static double flops(GraphOperation op, Shape in, Shape kernel, long leadingDim) {
    if (in.isUnknown() || in.numDimensions() != 4 || kernel.isUnknown() || kernel.numDimensions() != 4) {
      throw new IllegalArgumentException(op.name() + ": a convolution needs 4-D shapes known when the graph is built, got "
          + in + " and filter " + kernel);
    }
    if (!knownBeyondLeading(in) || kernel.hasUnknownDimension()) {
      throw new IllegalArgumentException(op.name() + ": only the leading dimension may be unknown, got " + in + " and filter " + kernel);
    }
    if (in.get(3) != kernel.get(2)) {
      throw new IllegalArgumentException(op.name() + ": input channels of " + in + " do not match the filter " + kernel);
    }
    if (!"NHWC".equals(op.attributes().getAttrString("data_format"))) {
      throw new IllegalArgumentException(op.name() + ": only NHWC convolutions are counted");
    }
    long[] strides = op.attributes().getAttrIntList("strides"); // [1, s_h, s_w, 1]
    boolean same = "SAME".equals(op.attributes().getAttrString("padding"));
    long outH = outputSize(in.get(1), kernel.get(0), strides[1], same);
    long outW = outputSize(in.get(2), kernel.get(1), strides[2], same);
    long n = in.get(0) < 0 ? leadingDim : in.get(0);
    return 2.0 * n * outH * outW * kernel.get(0) * kernel.get(1) * kernel.get(2) * kernel.get(3);
  }

  /** Whether every dimension but the first is known. */
  private static boolean knownBeyondLeading(Shape s) {
    for (int i = 1; i < s.numDimensions(); i++) {
      if (s.get(i) < 0) {
        return false;
      }
    }
    return true;
  }

  private static long outputSize(long size, long kernel, long stride, boolean same) {
    return same ? (size + stride - 1) / stride : (size - kernel + stride) / stride;
  }
}
