package dev.provide.train.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
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
}
