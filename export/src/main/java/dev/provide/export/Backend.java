package dev.provide.export;

import dev.provide.graph.ModelConfig;

/** What {@link VideoDecomposer} needs from a loaded model, whichever form it was loaded from. */
interface Backend extends AutoCloseable {
  /**
   * The state carried between frames of B streams.
   *
   * @param h [B, K, L]
   * @param c [B, K, L]
   * @param lambda [B, K, 2D]
   * @param nextFrame index of the next frame
   */
  record State(float[] h, float[] c, float[] lambda, int batch, long nextFrame) {}

  /**
   * One frame of B streams.
   *
   * @param masks [B, K, H, W]
   * @param means [B, K, H, W, 3]
   * @param reconstruction [B, H, W, 3]
   * @param segmentation [B, H, W]
   * @param latents [B, K, D] (empty for predicted frames)
   */
  record Frame(float[] masks, float[] means, float[] reconstruction, int[] segmentation, float[] latents, State next) {}

  ModelConfig config();

  State initial(int batch);

  /** Decomposes frame {@code state.nextFrame()} [B, H, W, 3]. */
  default Frame step(State state, float[] frame) {
    return step(state, frame, 0);
  }

  /**
   * Decomposes frame {@code state.nextFrame()} [B, H, W, 3] with the noise of draw {@code draw}
   * (MODEL.md section 6f: the seed base {@link ServingGraph#SEED} + draw * stride; 0 is
   * {@link #step(State, float[])}).
   */
  Frame step(State state, float[] frame, int draw);

  /** Predicts the next frame from the state alone. */
  Frame predict(State state);

  @Override
  void close();
}
