package dev.provide.train.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.AllocationDescription;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.NodeOutput;
import org.tensorflow.proto.TensorDescription;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.StepStats;

class BenchmarkTest {
  @Test
  void theConvolutionCaseCountsForwardAndBothGradientsAndGivesTheirRate() {
    Benchmark b = new Benchmark(new Benchmark.Settings(0, 2, 1, 1, false, false));
    Benchmark.Case c = b.convolution("conv", 3, 8, 5, 3);
    double flops = 3 * 2.0 * 3 * 8 * 8 * 3 * 3 * 5 * 5; // 2 N H W k k C C, three times
    double gflop = ((Number) c.values().get("conv_gflop_per_step")).doubleValue();
    assertEquals(flops / 1e9, gflop, 1e-15);
    double seconds = ((Number) c.values().get("median_s_per_step")).doubleValue();
    assertTrue(seconds > 0, c.json());
    assertEquals(gflop / seconds, ((Number) c.values().get("conv_gflop_per_s")).doubleValue(), 1e-9 * gflop / seconds);
    assertTrue(c.json().startsWith("{\"case\": \"conv\", \"shape\": \"3x8x8x5 k3\""), c.json());
  }

  private static NodeExecStats node(String type, long start, long end) {
    return NodeExecStats.newBuilder().setNodeName(type).setOpStartRelMicros(start).setOpEndRelMicros(end).build();
  }

  @Test
  void theTopOpsSummaryGivesEachTypesShareCallsAndMeanTimeMostFirst() {
    // Conv: 3 calls of 2, 4 and 6 ms (12 ms); Elu: 2 calls of 1.5 ms (3 ms); Add: 1 call of 5 ms, on a second device.
    StepStats stats = StepStats.newBuilder()
        .addDevStats(DeviceStepStats.newBuilder()
            .addNodeStats(node("Conv", 0, 2000)).addNodeStats(node("Elu", 10, 1510))
            .addNodeStats(node("Conv", 100, 4100)).addNodeStats(node("Conv", 0, 6000)).addNodeStats(node("Elu", 0, 1500)))
        .addDevStats(DeviceStepStats.newBuilder().addNodeStats(node("Add", 50, 5050)))
        .build();
    assertEquals("Conv 60.0% (3 calls, 4.0 ms each), Add 25.0% (1 calls, 5.0 ms each)",
        Benchmark.summariseOps(stats, NodeExecStats::getNodeName, 2));
    assertTrue(Benchmark.summariseOps(stats, NodeExecStats::getNodeName, 9).endsWith("Elu 15.0% (2 calls, 1.5 ms each)"));
  }

  private static NodeExecStats timed(long allStart, long start, long end) {
    return NodeExecStats.newBuilder().setNodeName("n").setAllStartMicros(allStart).setOpStartRelMicros(start).setOpEndRelMicros(end).build();
  }

  @Test
  void theTraceTotalsCountNodesSumTheirOpTimeAndSpanFirstStartToLastEnd() {
    // Device 1: ops at [1000, 1400) and [1100, 1300) (side by side); device 2: [1500, 2000). Op time 400 + 200 + 500 us.
    StepStats stats = StepStats.newBuilder()
        .addDevStats(DeviceStepStats.newBuilder().addNodeStats(timed(1000, 0, 400)).addNodeStats(timed(1090, 10, 210)))
        .addDevStats(DeviceStepStats.newBuilder().addNodeStats(timed(1480, 20, 520)))
        .build();
    Benchmark.TraceTotals t = Benchmark.traceTotals(stats);
    assertEquals(3, t.ops());
    assertEquals(1.1, t.opMillis(), 1e-12);
    assertEquals(1.0, t.spanMillis(), 1e-12);
    assertEquals(new Benchmark.TraceTotals(0, 0, 0), Benchmark.traceTotals(StepStats.getDefaultInstance()));
  }

  private static NodeOutput output(long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return NodeOutput.newBuilder()
        .setTensorDescription(TensorDescription.newBuilder().setShape(shape).setAllocationDescription(AllocationDescription.getDefaultInstance()))
        .build();
  }

  @Test
  void outputShapesJoinDimensionsWithXAndOutputsWithCommas() {
    NodeExecStats split = NodeExecStats.newBuilder().addOutput(output(20, 32, 32, 3)).addOutput(output(20, 32, 32, 1)).build();
    assertEquals("20x32x32x3,20x32x32x1", Benchmark.outputShapes(split));
    assertEquals("scalar", Benchmark.outputShapes(NodeExecStats.newBuilder().addOutput(output()).build()));
    assertEquals("", Benchmark.outputShapes(NodeExecStats.getDefaultInstance()));
  }

  @Test
  void eachNodeIsPlacedInThePartOfTheStepItsScopeNames() {
    assertEquals("in-graph gradient", Benchmark.partOf("frame3/gradients_1/Concat"));
    assertEquals("in-graph gradient", Benchmark.partOf("tower1/frame0/gradients/EluGrad"));
    assertEquals("outer gradient", Benchmark.partOf("gradients/Conv2DBackpropFilter_42"));
    assertEquals("outer gradient", Benchmark.partOf("tower0/gradients_2/AddN"));
    assertEquals("update", Benchmark.partOf("optimizer/train/ApplyAdam_3"));
    assertEquals("forward", Benchmark.partOf("frame0/Elu_13"));
    assertEquals("forward", Benchmark.partOf("frame0/gradientsum/Sum"));
    assertEquals("forward", Benchmark.partOf("loss"));
  }
}
