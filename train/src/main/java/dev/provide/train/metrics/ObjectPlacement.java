package dev.provide.train.metrics;

import java.util.Arrays;

/**
 * Where a segmentation puts each true object, per object id: the object's slot is the one among
 * slots 1..K-1 (slot 0 is the background slot) that holds most of the object's pixels; its
 * <em>centroid error</em> is the distance in pixels between the centroid of everything that slot
 * holds and the centroid of the true object, and its <em>area ratio</em> the slot's pixels over
 * the object's. An object none of whose pixels is in slots 1..K-1 is <em>lost</em> (no centroid,
 * no area). Averaged over the frames each object appears in (centroid error and area ratio over
 * those where it is not lost).
 *
 * <p>For a forecast this separates two ways of losing F-ARI: an object predicted in the wrong place
 * (large centroid error) and one predicted in the right place but smaller than it is (area ratio
 * below 1, the pixels it loses going to another slot). Given the ids of the frame before, it also
 * measures the error's <em>along-track</em> part: its projection on the object's true motion since
 * that frame, negative where the forecast lags behind the object and positive where it runs ahead.
 */
public final class ObjectPlacement {
  private final int width;
  private double[] centroidError = new double[0];
  private double[] areaRatio = new double[0];
  private double[] alongTrack = new double[0];
  private long[] moving = new long[0];
  private long[] placed = new long[0];
  private long[] appearances = new long[0];

  /** @param width W, the image width (pixels are numbered row by row) */
  public ObjectPlacement(int width) {
    if (width < 1) {
      throw new IllegalArgumentException("the image width must be >= 1, got " + width);
    }
    this.width = width;
  }

  /**
   * Adds frames, without the along-track part.
   *
   * @param masks [F, K, H, W]
   * @param ids ground truth [F, H, W], 0 the background (not scored)
   * @param frames F
   * @param slots K
   * @param pixels H * W, a multiple of the width
   */
  public void add(float[] masks, int[] ids, int frames, int slots, int pixels) {
    add(masks, ids, null, frames, slots, pixels);
  }

  /**
   * Adds frames.
   *
   * @param masks [F, K, H, W]
   * @param ids ground truth [F, H, W], 0 the background (not scored)
   * @param previousIds the ground truth of the frame before each of the F frames [F, H, W], for the
   *     along-track part; null for none
   * @param frames F
   * @param slots K
   * @param pixels H * W, a multiple of the width
   */
  public void add(float[] masks, int[] ids, int[] previousIds, int frames, int slots, int pixels) {
    if (masks.length != (long) frames * slots * pixels || ids.length != (long) frames * pixels || pixels % width != 0
        || (previousIds != null && previousIds.length != ids.length)) {
      throw new IllegalArgumentException("mask or id arrays do not match " + frames + " frames of " + slots + " slots of "
          + pixels + " pixels in rows of " + width);
    }
    for (int f = 0; f < frames; f++) {
      int[] slotOf = Ari.argmaxSlots(Arrays.copyOfRange(masks, f * slots * pixels, (f + 1) * slots * pixels), slots);
      int maxId = 0;
      for (int p = 0; p < pixels; p++) {
        maxId = Math.max(maxId, ids[f * pixels + p]);
      }
      grow(maxId + 1);
      Region[] objects = new Region[maxId + 1], before = new Region[maxId + 1], slotRegions = new Region[slots];
      Arrays.setAll(objects, i -> new Region());
      Arrays.setAll(before, i -> new Region());
      Arrays.setAll(slotRegions, i -> new Region());
      int[][] overlap = new int[maxId + 1][slots]; // [id, slot] pixels
      for (int p = 0; p < pixels; p++) {
        int id = ids[f * pixels + p];
        if (id < 0) {
          throw new IllegalArgumentException("object ids must be >= 0, got " + id);
        }
        objects[id].add(p / width, p % width);
        slotRegions[slotOf[p]].add(p / width, p % width);
        overlap[id][slotOf[p]]++;
        int was = previousIds == null ? 0 : previousIds[f * pixels + p];
        if (was > 0 && was <= maxId) {
          before[was].add(p / width, p % width);
        }
      }
      for (int id = 1; id <= maxId; id++) {
        if (objects[id].pixels == 0) {
          continue;
        }
        appearances[id]++;
        int best = 0;
        for (int k = 1; k < slots; k++) {
          if (overlap[id][k] > (best == 0 ? 0 : overlap[id][best])) {
            best = k;
          }
        }
        if (best == 0) {
          continue; // lost: every pixel of the object is in the background slot
        }
        Region slot = slotRegions[best];
        double errorRow = slot.row() - objects[id].row(), errorColumn = slot.column() - objects[id].column();
        centroidError[id] += Math.hypot(errorRow, errorColumn);
        areaRatio[id] += (double) slot.pixels / objects[id].pixels;
        placed[id]++;
        if (before[id].pixels > 0) {
          double motionRow = objects[id].row() - before[id].row(), motionColumn = objects[id].column() - before[id].column();
          double motion = Math.hypot(motionRow, motionColumn);
          if (motion > 0) {
            alongTrack[id] += (errorRow * motionRow + errorColumn * motionColumn) / motion;
            moving[id]++;
          }
        }
      }
    }
  }

  /** Pixel count and coordinate sums of a set of pixels. */
  private static final class Region {
    long pixels;
    double rows;
    double columns;

    void add(int row, int column) {
      pixels++;
      rows += row;
      columns += column;
    }

    double row() {
      return rows / pixels;
    }

    double column() {
      return columns / pixels;
    }
  }

  private void grow(int size) {
    if (size > appearances.length) {
      centroidError = Arrays.copyOf(centroidError, size);
      areaRatio = Arrays.copyOf(areaRatio, size);
      alongTrack = Arrays.copyOf(alongTrack, size);
      moving = Arrays.copyOf(moving, size);
      placed = Arrays.copyOf(placed, size);
      appearances = Arrays.copyOf(appearances, size);
    }
  }

  /** The largest object id seen (0 when none). */
  public int maxId() {
    return Math.max(0, appearances.length - 1);
  }

  /** Frames in which object {@code id} had pixels. */
  public long appearances(int id) {
    return id < appearances.length ? appearances[id] : 0;
  }

  /** Mean centroid error of object {@code id} in pixels over the frames it was not lost; NaN if never placed. */
  public double centroidError(int id) {
    return id < placed.length && placed[id] > 0 ? centroidError[id] / placed[id] : Double.NaN;
  }

  /** Mean area ratio (its slot's pixels over its own) of object {@code id}; NaN if never placed. */
  public double areaRatio(int id) {
    return id < placed.length && placed[id] > 0 ? areaRatio[id] / placed[id] : Double.NaN;
  }

  /**
   * Mean along-track error of object {@code id} in pixels (negative: behind the object), over the
   * frames it was placed and had moved since the frame before; NaN if none.
   */
  public double alongTrack(int id) {
    return id < moving.length && moving[id] > 0 ? alongTrack[id] / moving[id] : Double.NaN;
  }

  /** {@link #alongTrack(int)} over all objects, each counted frame once; NaN if none. */
  public double alongTrack() {
    long n = Arrays.stream(moving).sum();
    return n == 0 ? Double.NaN : Arrays.stream(alongTrack).sum() / n;
  }

  /** Share of object {@code id}'s appearances in which it was lost; NaN if it never appeared. */
  public double lost(int id) {
    return appearances(id) == 0 ? Double.NaN : 1.0 - (double) placed[id] / appearances[id];
  }

  /** {@link #centroidError(int)} over all objects, each placed appearance counting once; NaN if none. */
  public double centroidError() {
    return pooled(centroidError);
  }

  /** {@link #areaRatio(int)} over all objects, each placed appearance counting once; NaN if none. */
  public double areaRatio() {
    return pooled(areaRatio);
  }

  /** {@link #lost(int)} over all objects, each appearance counting once; NaN if none appeared. */
  public double lost() {
    long all = Arrays.stream(appearances).sum(), kept = Arrays.stream(placed).sum();
    return all == 0 ? Double.NaN : 1.0 - (double) kept / all;
  }

  private double pooled(double[] sums) {
    long kept = Arrays.stream(placed).sum();
    return kept == 0 ? Double.NaN : Arrays.stream(sums).sum() / kept;
  }
}
