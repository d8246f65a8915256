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
 * Given each object's {@link Turns} class, it also splits the centroid error between objects that
 * still move as when the observed frames ended and objects that have turned since, and gives the
 * along-track error of the first.
 */
public final class ObjectPlacement {
  private final int width;
  private final PerObjectMean lost = new PerObjectMean(); // 1 per appearance in which the object was lost, else 0
  private final PerObjectMean centroidError = new PerObjectMean();
  private final PerObjectMean areaRatio = new PerObjectMean();
  private final PerObjectMean alongTrack = new PerObjectMean();
  private final PerObjectMean errorByMotion = new PerObjectMean(); // centroid errors keyed by Turns' class
  private final PerObjectMean alongTrackByMotion = new PerObjectMean(); // along-track errors keyed by Turns' class

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
    add(masks, ids, previousIds, null, frames, slots, pixels);
  }

  /**
   * Adds frames.
   *
   * @param masks [F, K, H, W]
   * @param ids ground truth [F, H, W], 0 the background (not scored)
   * @param previousIds the ground truth of the frame before each of the F frames [F, H, W], for the
   *     along-track part; null for none
   * @param motion each frame's {@link Turns} class per object id ([F][ids]), for the centroid error
   *     split by motion; null for none
   * @param frames F
   * @param slots K
   * @param pixels H * W, a multiple of the width
   */
  public void add(float[] masks, int[] ids, int[] previousIds, int[][] motion, int frames, int slots, int pixels) {
    if (masks.length != (long) frames * slots * pixels || ids.length != (long) frames * pixels || pixels % width != 0
        || (previousIds != null && previousIds.length != ids.length) || (motion != null && motion.length != frames)) {
      throw new IllegalArgumentException("mask or id arrays do not match " + frames + " frames of " + slots + " slots of "
          + pixels + " pixels in rows of " + width);
    }
    for (int f = 0; f < frames; f++) {
      SegmentedFrame frame = SegmentedFrame.of(masks, ids, f, slots, pixels);
      int maxId = frame.maxId();
      Region[] objects = new Region[maxId + 1], before = new Region[maxId + 1], slotRegions = new Region[slots];
      Arrays.setAll(objects, i -> new Region());
      Arrays.setAll(before, i -> new Region());
      Arrays.setAll(slotRegions, i -> new Region());
      int[][] overlap = new int[maxId + 1][slots]; // [id, slot] pixels
      for (int p = 0; p < pixels; p++) {
        int id = ids[f * pixels + p], slot = frame.slotOf()[p];
        objects[id].add(p / width, p % width);
        slotRegions[slot].add(p / width, p % width);
        overlap[id][slot]++;
        int was = previousIds == null ? 0 : previousIds[f * pixels + p];
        if (was > 0 && was <= maxId) {
          before[was].add(p / width, p % width);
        }
      }
      for (int id = 1; id <= maxId; id++) {
        if (objects[id].pixels > 0) {
          int turn = motion != null && id < motion[f].length ? motion[f][id] : Turns.UNKNOWN;
          place(id, objects[id], before[id], slotRegions, overlap[id], turn);
        }
      }
    }
  }

  /** Scores one appearance of object {@code id}; {@code overlap} its pixels per slot, {@code turn} its {@link Turns} class. */
  private void place(int id, Region object, Region before, Region[] slotRegions, int[] overlap, int turn) {
    int best = 0;
    for (int k = 1; k < overlap.length; k++) {
      if (overlap[k] > (best == 0 ? 0 : overlap[best])) {
        best = k;
      }
    }
    lost.add(id, best == 0 ? 1 : 0);
    if (best == 0) {
      return; // every pixel of the object is in the background slot
    }
    Region slot = slotRegions[best];
    double errorRow = slot.row() - object.row(), errorColumn = slot.column() - object.column();
    centroidError.add(id, Math.hypot(errorRow, errorColumn));
    if (turn != Turns.UNKNOWN) {
      errorByMotion.add(turn, Math.hypot(errorRow, errorColumn));
    }
    areaRatio.add(id, (double) slot.pixels / object.pixels);
    if (before.pixels > 0) {
      double motionRow = object.row() - before.row(), motionColumn = object.column() - before.column();
      double motion = Math.hypot(motionRow, motionColumn);
      if (motion > 0) {
        double along = (errorRow * motionRow + errorColumn * motionColumn) / motion;
        alongTrack.add(id, along);
        if (turn != Turns.UNKNOWN) {
          alongTrackByMotion.add(turn, along);
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

  /** The largest object id seen (0 when none). */
  public int maxId() {
    return lost.maxId();
  }

  /** Frames in which object {@code id} had pixels. */
  public long appearances(int id) {
    return lost.count(id);
  }

  /** Mean centroid error of object {@code id} in pixels over the frames it was not lost; NaN if never placed. */
  public double centroidError(int id) {
    return centroidError.mean(id);
  }

  /** Mean area ratio (its slot's pixels over its own) of object {@code id}; NaN if never placed. */
  public double areaRatio(int id) {
    return areaRatio.mean(id);
  }

  /**
   * Mean along-track error of object {@code id} in pixels (negative: behind the object), over the
   * frames it was placed and had moved since the frame before; NaN if none.
   */
  public double alongTrack(int id) {
    return alongTrack.mean(id);
  }

  /** Share of object {@code id}'s appearances in which it was lost; NaN if it never appeared. */
  public double lost(int id) {
    return lost.mean(id);
  }

  /** {@link #centroidError(int)} over all objects, each placed appearance counting once; NaN if none. */
  public double centroidError() {
    return centroidError.pooled();
  }

  /** {@link #areaRatio(int)} over all objects, each placed appearance counting once; NaN if none. */
  public double areaRatio() {
    return areaRatio.pooled();
  }

  /** {@link #alongTrack(int)} over all objects, each counted frame once; NaN if none. */
  public double alongTrack() {
    return alongTrack.pooled();
  }

  /**
   * Mean centroid error in pixels of the placed appearances of objects that still moved as when the
   * observed frames ended ({@link Turns#STRAIGHT}); NaN if none.
   */
  public double centroidErrorMovingStraight() {
    return errorByMotion.mean(Turns.STRAIGHT);
  }

  /** The same for objects that had turned since ({@link Turns#TURNED}); NaN if none. */
  public double centroidErrorTurned() {
    return errorByMotion.mean(Turns.TURNED);
  }

  /**
   * Mean along-track error in pixels of the objects that still moved as when the observed frames
   * ended (negative: the forecast lags behind them); NaN if none.
   */
  public double alongTrackMovingStraight() {
    return alongTrackByMotion.mean(Turns.STRAIGHT);
  }

  /** Share of the classified placed appearances whose object had turned; NaN if none was classified. */
  public double turnedShare() {
    long straight = errorByMotion.count(Turns.STRAIGHT), turned = errorByMotion.count(Turns.TURNED);
    return straight + turned == 0 ? Double.NaN : (double) turned / (straight + turned);
  }

  /** {@link #lost(int)} over all objects, each appearance counting once; NaN if none appeared. */
  public double lost() {
    return lost.pooled();
  }
}
