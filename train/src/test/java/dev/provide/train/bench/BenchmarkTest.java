package dev.provide.train.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
