package dev.provide.train.predict;

/**
 * What one predictor says about the P frames after the observed ones, for B sequences.
 *
 * @param name the predictor's name in reports ({@code model}, {@code copy_last}, ...)
 * @param masks [B, P, K, H, W], summing to 1 over K at every pixel
 * @param reconstruction [B, P, H, W, 3]
 */
public record Forecast(String name, float[] masks, float[] reconstruction) {
  /** The name of the model's own forecast in reports. */
  public static final String MODEL = "model";
}
