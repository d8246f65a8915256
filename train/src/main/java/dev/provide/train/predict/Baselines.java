package dev.provide.train.predict;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simple predictors that a video model's rollout must beat (docs/RESULTS.md, "Prediction"),
 * computed from the observed frames and the model's decomposition of them, with no training:
 *
 * <ul>
 *   <li>{@code copy_last}: every future frame is the last observed frame, segmented as the model
 *       segmented that frame;
 *   <li>{@code background}: every future frame is the background alone (the most common colour of
 *       the last observed frame), all pixels in one slot;
 *   <li>{@code constant_velocity}: each object slot's mask and appearance move on with the velocity
 *       of the mask's centroid over the last two observed frames; the background slot (the one
 *       with the largest mask) stays and fills what the objects leave.
 * </ul>
 *
 * <p>Where the data has ground-truth labels, {@link #ofTruth} runs constant velocity on the true
 * segmentation instead of the model's ({@value #TRUE_MASKS_VELOCITY}): not a competitor (it reads
 * the labels) but a reference for how far linear extrapolation of perfectly segmented objects gets.
 */
public final class Baselines {
  /** Names of the baselines, in report order. */
  public static final List<String> NAMES = List.of("copy_last", "background", "constant_velocity");

  /** Name of constant velocity on the true segmentation ({@link #ofTruth}), a reference that reads labels. */
  public static final String TRUE_MASKS_VELOCITY = "cv_true_masks";

  /** A slot whose mask holds less than this many pixels has no centroid and does not move. */
  private static final double MIN_MASS = 1.0;

  private final Dims d;
  private final float[] observedFrames;
  private final float[] observedMasks;
  private final float[] observedMeans;

  /**
   * Shapes of the arrays.
   *
   * @param batch B sequences
   * @param observed F observed frames (at least 2 for constant velocity)
   * @param future P predicted frames
   * @param slots K
   * @param height H
   * @param width W
   */
  public record Dims(int batch, int observed, int future, int slots, int height, int width) {
    public Dims {
      if (batch < 1 || observed < 2 || future < 1 || slots < 1 || height < 1 || width < 1) {
        throw new IllegalArgumentException("the baselines need at least 2 observed frames and 1 predicted, got "
            + observed + " and " + future);
      }
    }

    int pixels() {
      return height * width;
    }
  }

  /**
   * @param d the shapes
   * @param observedFrames the true observed frames [B, F, H, W, 3]
   * @param observedMasks the model's masks of them [B, F, K, H, W]
   * @param observedMeans the model's per-slot appearance of them [B, F, K, H, W, 3]
   */
  public Baselines(Dims d, float[] observedFrames, float[] observedMasks, float[] observedMeans) {
    long p = d.pixels(), frames = (long) d.batch() * d.observed();
    if (observedFrames.length != frames * p * 3 || observedMasks.length != frames * d.slots() * p
        || observedMeans.length != frames * d.slots() * p * 3) {
      throw new IllegalArgumentException("observed arrays do not match " + d);
    }
    this.d = d;
    this.observedFrames = observedFrames;
    this.observedMasks = observedMasks;
    this.observedMeans = observedMeans;
  }

  /**
   * Baselines over the ground-truth segmentation: one slot per label value present in the observed
   * frames, holding the pixels of that label (label 0, the background, in slot 0). Every object
   * slot's appearance is the true frame; the background's is the true frame where it shows and the
   * frame's commonest colour behind the objects (exact for the uniform backgrounds of the balls
   * data).
   *
   * @param observedFrames the true observed frames [B, F, H, W, 3]
   * @param observedIds their ground-truth labels [B, F, H, W], 0 = background
   * @return baselines with one slot per label value present ({@link Dims#slots}), the background first
   */
  public static Baselines ofTruth(int batch, int observed, int future, int height, int width, float[] observedFrames, int[] observedIds) {
    int p = height * width;
    if (observedIds.length != (long) batch * observed * p) {
      throw new IllegalArgumentException("labels do not match " + batch + " x " + observed + " frames of " + height + " x " + width);
    }
    // Sparse labels (ids up to 255 in imported data) cost only the slots they use.
    int[] slotOf = new int[1 + java.util.Arrays.stream(observedIds).max().orElse(0)];
    java.util.Arrays.fill(slotOf, -1);
    slotOf[0] = 0;
    int slots = 1;
    for (int id : observedIds) {
      if (id < 0) {
        throw new IllegalArgumentException("negative label " + id);
      }
      if (slotOf[id] < 0) {
        slotOf[id] = slots++;
      }
    }
    Dims d = new Dims(batch, observed, future, slots, height, width);
    float[] masks = new float[batch * observed * slots * p];
    float[] means = new float[batch * observed * slots * p * 3];
    for (int f = 0; f < batch * observed; f++) {
      float[] behind = commonestColour(observedFrames, f * p * 3, p);
      for (int q = 0; q < p; q++) {
        int id = slotOf[observedIds[f * p + q]];
        masks[(f * slots + id) * p + q] = 1f;
        for (int s = 0; s < slots; s++) {
          boolean hidden = s == 0 && id != 0;
          System.arraycopy(hidden ? behind : observedFrames, hidden ? 0 : (f * p + q) * 3, means, ((f * slots + s) * p + q) * 3, 3);
        }
      }
    }
    return new Baselines(d, observedFrames, masks, means);
  }

  /** All baselines, in {@link #NAMES} order. */
  public List<Forecast> all() {
    return List.of(copyLast(), background(), constantVelocity());
  }

  /** The last observed frame, with the model's masks of it, repeated P times. */
  public Forecast copyLast() {
    int p = d.pixels(), k = d.slots();
    float[] masks = new float[d.batch() * d.future() * k * p];
    float[] recon = new float[d.batch() * d.future() * p * 3];
    for (int b = 0; b < d.batch(); b++) {
      for (int h = 0; h < d.future(); h++) {
        System.arraycopy(observedMasks, lastFrame(b) * k * p, masks, (b * d.future() + h) * k * p, k * p);
        System.arraycopy(observedFrames, lastFrame(b) * p * 3, recon, (b * d.future() + h) * p * 3, p * 3);
      }
    }
    return new Forecast("copy_last", masks, recon);
  }

  /** The background colour everywhere, every pixel in the background slot, P times. */
  public Forecast background() {
    int p = d.pixels(), k = d.slots();
    float[] masks = new float[d.batch() * d.future() * k * p];
    float[] recon = new float[d.batch() * d.future() * p * 3];
    for (int b = 0; b < d.batch(); b++) {
      float[] colour = commonestColour(observedFrames, lastFrame(b) * p * 3, p);
      int bg = backgroundSlot(b);
      for (int h = 0; h < d.future(); h++) {
        int frame = b * d.future() + h;
        for (int q = 0; q < p; q++) {
          masks[(frame * k + bg) * p + q] = 1f;
          System.arraycopy(colour, 0, recon, (frame * p + q) * 3, 3);
        }
      }
    }
    return new Forecast("background", masks, recon);
  }

  /**
   * Each object slot's mask and appearance at the last observed frame, shifted by h times the
   * velocity of its centroid between the last two observed frames (bilinear, zero outside the
   * frame); the background slot's mask is what the objects leave, then masks are normalised.
   */
  public Forecast constantVelocity() {
    return constantVelocity("constant_velocity");
  }

  /** {@link #constantVelocity} named {@value #TRUE_MASKS_VELOCITY}: meant for baselines made by {@link #ofTruth}. */
  public Forecast trueMasksVelocity() {
    return constantVelocity(TRUE_MASKS_VELOCITY);
  }

  private Forecast constantVelocity(String name) {
    int p = d.pixels(), k = d.slots();
    float[] masks = new float[d.batch() * d.future() * k * p];
    float[] recon = new float[d.batch() * d.future() * p * 3];
    for (int b = 0; b < d.batch(); b++) {
      int last = lastFrame(b), bg = backgroundSlot(b);
      for (int h = 1; h <= d.future(); h++) {
        int frame = b * d.future() + h - 1;
        float[] m = new float[k * p];
        float[] mu = new float[k * p * 3];
        float[] objects = new float[p];
        for (int s = 0; s < k; s++) {
          int maskAt = (last * k + s) * p;
          if (s == bg) {
            System.arraycopy(observedMeans, maskAt * 3, mu, s * p * 3, p * 3);
            continue;
          }
          double[] now = centroid(observedMasks, maskAt), before = centroid(observedMasks, ((last - 1) * k + s) * p);
          double dy = now == null || before == null ? 0 : h * (now[0] - before[0]);
          double dx = now == null || before == null ? 0 : h * (now[1] - before[1]);
          shift(observedMasks, maskAt, 1, m, s * p, dy, dx);
          shift(observedMeans, maskAt * 3, 3, mu, s * p * 3, dy, dx);
          for (int q = 0; q < p; q++) {
            objects[q] += m[s * p + q];
          }
        }
        for (int q = 0; q < p; q++) {
          m[bg * p + q] = Math.max(0f, 1f - objects[q]);
          double sum = 0;
          for (int s = 0; s < k; s++) {
            sum += m[s * p + q];
          }
          for (int s = 0; s < k; s++) {
            float v = (float) (m[s * p + q] / sum);
            masks[(frame * k + s) * p + q] = v;
            for (int c = 0; c < 3; c++) {
              recon[(frame * p + q) * 3 + c] += v * mu[(s * p + q) * 3 + c];
            }
          }
        }
      }
    }
    return new Forecast(name, masks, recon);
  }

  /** Index of sequence b's last observed frame in the [B, F] frames. */
  private int lastFrame(int b) {
    return b * d.observed() + d.observed() - 1;
  }

  /** The slot with the most mask mass in sequence b's last observed frame. */
  private int backgroundSlot(int b) {
    int p = d.pixels(), k = d.slots(), best = 0;
    double bestMass = -1;
    for (int s = 0; s < k; s++) {
      double mass = 0;
      for (int q = 0; q < p; q++) {
        mass += observedMasks[(lastFrame(b) * k + s) * p + q];
      }
      if (mass > bestMass) {
        bestMass = mass;
        best = s;
      }
    }
    return best;
  }

  /** (row, column) of the mask's centre of mass, or null when it holds too little. */
  private double[] centroid(float[] masks, int offset) {
    double mass = 0, y = 0, x = 0;
    for (int r = 0; r < d.height(); r++) {
      for (int c = 0; c < d.width(); c++) {
        double v = masks[offset + r * d.width() + c];
        mass += v;
        y += v * r;
        x += v * c;
      }
    }
    return mass < MIN_MASS ? null : new double[] {y / mass, x / mass};
  }

  /** out(r, c) = in(r - dy, c - dx), bilinear, zero outside, for images of {@code channels}. */
  private void shift(float[] in, int inOffset, int channels, float[] out, int outOffset, double dy, double dx) {
    int hh = d.height(), w = d.width();
    for (int r = 0; r < hh; r++) {
      for (int c = 0; c < w; c++) {
        double sy = r - dy, sx = c - dx;
        int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
        double fy = sy - y0, fx = sx - x0;
        for (int ch = 0; ch < channels; ch++) {
          double v = (1 - fy) * (1 - fx) * at(in, inOffset, channels, y0, x0, ch)
              + (1 - fy) * fx * at(in, inOffset, channels, y0, x0 + 1, ch)
              + fy * (1 - fx) * at(in, inOffset, channels, y0 + 1, x0, ch)
              + fy * fx * at(in, inOffset, channels, y0 + 1, x0 + 1, ch);
          out[outOffset + (r * w + c) * channels + ch] = (float) v;
        }
      }
    }
  }

  private float at(float[] in, int offset, int channels, int r, int c, int ch) {
    return r < 0 || c < 0 || r >= d.height() || c >= d.width() ? 0f : in[offset + (r * d.width() + c) * channels + ch];
  }

  /** The most frequent colour (to 8 bits a channel) of the p pixels of an RGB frame. */
  static float[] commonestColour(float[] frames, int offset, int p) {
    Map<Integer, Integer> counts = new HashMap<>();
    int best = 0, bestCount = 0;
    for (int q = 0; q < p; q++) {
      int key = 0;
      for (int c = 0; c < 3; c++) {
        key = key << 8 | Math.round(Math.max(0f, Math.min(1f, frames[offset + q * 3 + c])) * 255f);
      }
      int n = counts.merge(key, 1, Integer::sum);
      if (n > bestCount) {
        bestCount = n;
        best = key;
      }
    }
    return new float[] {(best >> 16 & 0xff) / 255f, (best >> 8 & 0xff) / 255f, (best & 0xff) / 255f};
  }
}
