package dev.provide.export;

/**
 * The decomposition of a video (or of predicted frames): per frame and slot a mask and an
 * appearance, the reconstruction, the segmentation (argmax slot per pixel) and the latent codes.
 * Arrays are flat and row-major; the accessors index them.
 *
 * @param frames F
 * @param slots K
 * @param height H
 * @param width W
 * @param latentSize D (0 for predicted frames: their latents are prior means, not returned)
 * @param masks [F, K, H, W], summing to 1 over slots
 * @param means [F, K, H, W, 3] in [0, 1]
 * @param reconstruction [F, H, W, 3] in [0, 1]
 * @param segmentation [F, H, W] slot ids
 * @param latents [F, K, D] posterior means
 */
public record Decomposition(
    int frames, int slots, int height, int width, int latentSize,
    float[] masks, float[] means, float[] reconstruction, int[] segmentation, float[] latents) {

  /** The mask of {@code slot} at pixel (y, x) of {@code frame}. */
  public float mask(int frame, int slot, int y, int x) {
    return masks[((frame * slots + slot) * height + y) * width + x];
  }

  /** Channel {@code c} of slot {@code slot}'s appearance at pixel (y, x). */
  public float mean(int frame, int slot, int y, int x, int c) {
    return means[(((frame * slots + slot) * height + y) * width + x) * 3 + c];
  }

  /** Channel {@code c} of the reconstruction at pixel (y, x). */
  public float reconstruction(int frame, int y, int x, int c) {
    return reconstruction[((frame * height + y) * width + x) * 3 + c];
  }

  /** The slot that explains pixel (y, x) of {@code frame}. */
  public int segment(int frame, int y, int x) {
    return segmentation[(frame * height + y) * width + x];
  }

  /** The latent code of {@code slot} in {@code frame}, D values. */
  public float[] latent(int frame, int slot) {
    return java.util.Arrays.copyOfRange(latents, (frame * slots + slot) * latentSize, (frame * slots + slot + 1) * latentSize);
  }
}
