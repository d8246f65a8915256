package dev.provide.graph.testing;

import dev.provide.graph.ModelConfig;

/** A model small enough to build and run in a second, for tests of every module. */
public final class TinyConfig {
  private TinyConfig() {}

  /** 8 x 8 frames, K 3, D 4, LSTM 8, schedule 3, 2, 2, ...; one-layer decoder and refinement net. */
  public static ModelConfig create() {
    return ModelConfig.cpu()
        .withImageSize(8)
        .withSlots(3)
        .withSizes(4, 8)
        .withSchedule(3, 2)
        .withDecoder(new ModelConfig.Decoder(8, 1, 8, 1, 1))
        .withRefinement(new ModelConfig.Refinement(1, 4, 3, 2, 1, 8, false));
  }
}
