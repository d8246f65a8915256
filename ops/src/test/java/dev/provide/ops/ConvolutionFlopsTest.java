package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class ConvolutionFlopsTest {
  // conv1: 3x3, 3 -> 4 channels, stride 2, 8x8 -> 4x4; conv2: 1x1, 4 -> 5 channels at 4x4.
  // 2 N H' W' k k C_in C_out with N = 7, counted here by hand:
  private static final double CONV1 = 2.0 * 7 * 4 * 4 * 3 * 3 * 3 * 4; // 24,192
  private static final double CONV2 = 2.0 * 7 * 4 * 4 * 1 * 1 * 4 * 5; // 4,480

  @Test
  void countsTheConvolutionsAndBothGradientsThatTheTargetsRun() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Conv2d c1 = Conv2d.create(tf.withSubScope("c1"), "conv", 3, 3, 4, 2, Activation.ELU, 1);
      Conv2d c2 = Conv2d.create(tf.withSubScope("c2"), "conv", 1, 4, 5, 1, Activation.NONE, 1);
      Conv2d unused = Conv2d.create(tf.withSubScope("unused"), "conv", 3, 3, 16, 1, Activation.NONE, 1);
      unused.apply(tf, x); // built but not run for the targets below: must not be counted
      Operand<TFloat32> loss = tf.sum(c2.apply(tf, c1.apply(tf, x)), tf.constant(new int[] {0, 1, 2, 3}));

      ConvolutionFlops.Count forward = ConvolutionFlops.of(Set.of((GraphOperation) loss.op()), 7);
      assertEquals(CONV1 + CONV2, forward.forward());
      assertEquals(0, forward.inputGradients());
      assertEquals(0, forward.filterGradients());

      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput(), c1.kernel().asOutput(), c2.kernel().asOutput()});
      Set<GraphOperation> targets = Arrays.stream(grads).map(o -> (GraphOperation) o.op()).collect(Collectors.toSet());
      ConvolutionFlops.Count all = ConvolutionFlops.of(targets, 7);
      assertEquals(CONV1 + CONV2, all.forward());
      assertEquals(CONV1 + CONV2, all.inputGradients()); // dL/dx runs back through both convolutions
      assertEquals(CONV1 + CONV2, all.filterGradients());
      assertEquals(3 * (CONV1 + CONV2), all.total());

      // Only the filter gradient of the first convolution: no input gradient of the first is needed.
      ConvolutionFlops.Count first = ConvolutionFlops.of(Set.of((GraphOperation) grads[1].op()), 7);
      assertEquals(CONV1, first.filterGradients());
      assertEquals(CONV2, first.inputGradients());
    }
  }

  @Test
  void aKnownLeadingDimensionIsUsedAsItIs() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 8, 8, 3)));
      Operand<TFloat32> y = Conv2d.create(tf, "conv", 3, 3, 4, 2, Activation.NONE, 1).apply(tf, x);
      assertEquals(CONV1 * 2 / 7, ConvolutionFlops.of(Set.of((GraphOperation) y.op()), 7).forward());
    }
  }

  @Test
  void refusesAConvolutionWhoseImageSizeIsUnknownAndNamesIt() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      Operand<TFloat32> y = Conv2d.create(tf, "conv", 3, 3, 4, 1, Activation.NONE, 1).apply(tf, x);
      var e = assertThrows(IllegalArgumentException.class, () -> ConvolutionFlops.of(Set.of((GraphOperation) y.op()), 7));
      assertTrue(e.getMessage().contains("only the leading dimension may be unknown"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> ConvolutionFlops.of(Set.of((GraphOperation) y.op()), 0));
    }
  }
}
