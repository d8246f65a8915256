package dev.provide.export.example;

import dev.provide.export.Decomposition;
import dev.provide.export.VideoDecomposer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The README's library example, compiled and run by {@code FirstDecompositionTest} so that it
 * cannot drift from the API.
 */
public final class FirstDecomposition {
  private FirstDecomposition() {}

  /**
   * Decomposes 10 frames with the model in {@code modelDir} (a model folder, a checkpoint or a
   * SavedModel) and predicts the next 5.
   *
   * @param frames 10 frames of H x W x 3 floats in [0, 1], frame after frame
   * @return which slot covers pixel (12, 20) of the first frame
   */
  public static int run(Path modelDir, float[] frames) throws IOException {
    try (VideoDecomposer model = VideoDecomposer.open(modelDir)) {
      Decomposition d = model.decompose(frames, 10);      // masks, means, latents of every slot and frame
      int slot = d.segment(0, 12, 20);                     // which object covers pixel (12, 20) of frame 0
      float m = d.mask(0, slot, 12, 20);                   // its mask there
      Decomposition future = model.predict(frames, 10, 5); // the next 5 frames
      VideoDecomposer.Stream live = model.stream();        // one frame at a time, as they arrive
      int pixels = model.config().imageSize() * model.config().imageSize() * 3;
      Decomposition now = live.next(java.util.Arrays.copyOf(frames, pixels));
      int nowSlot = now.segment(0, 12, 20);               // the same pixel, from the stream
      System.out.printf("slot %d (mask %.2f); predicted %d frames; streamed frame %d: slot %d%n",
          slot, m, future.frames(), live.position(), nowSlot);
      return slot;
    }
  }
}
