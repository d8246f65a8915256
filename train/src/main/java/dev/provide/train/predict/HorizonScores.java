package dev.provide.train.predict;

import dev.provide.train.data.FrameRange;
import dev.provide.train.metrics.ClipScores;
import dev.provide.train.metrics.ObjectPlacement;
import dev.provide.train.metrics.ObjectRecall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * MSE, ARI and F-ARI of several predictors at each horizon h = 1..P (the h-th frame after the
 * observed ones), accumulated over batches of sequences.
 */
public final class HorizonScores {
  /**
   * One {@link ObjectPlacement} measure per horizon: its key in the JSON report and, unless null, the
   * title of its Markdown table.
   */
  private record PlacementMeasure(String key, String title, ToDoubleFunction<ObjectPlacement> of) {}

  /** The object-placement measures, in the order they are reported. */
  private static final List<PlacementMeasure> PLACEMENT_MEASURES = List.of(
      new PlacementMeasure("centroid_error", "centroid error (pixels)", ObjectPlacement::centroidError),
      new PlacementMeasure("along_track_error", "along-track error (pixels)", ObjectPlacement::alongTrack),
      new PlacementMeasure("area_ratio", "area ratio", ObjectPlacement::areaRatio),
      new PlacementMeasure("objects_lost", null, ObjectPlacement::lost),
      new PlacementMeasure("centroid_error_moving_straight",
          "centroid error (pixels) of objects moving as when the observed frames ended", ObjectPlacement::centroidErrorMovingStraight),
      new PlacementMeasure("along_track_error_moving_straight",
          "along-track error (pixels) of objects moving as when the observed frames ended", ObjectPlacement::alongTrackMovingStraight),
      new PlacementMeasure("centroid_error_turned",
          "centroid error (pixels) of objects that turned since (bounced)", ObjectPlacement::centroidErrorTurned),
      new PlacementMeasure("turned_share",
          "share of placed objects that turned since the observed frames", ObjectPlacement::turnedShare));
  private final int future;
  private final int width;
  private final int pixels;
  private final Map<String, ClipScores[]> byPredictor = new LinkedHashMap<>();
  private final Map<String, ObjectRecall[]> objectsByPredictor = new LinkedHashMap<>();
  private final Map<String, ObjectPlacement[]> placementByPredictor = new LinkedHashMap<>();

  /**
   * @param future P, horizons scored
   * @param height H
   * @param width W
   */
  public HorizonScores(int future, int height, int width) {
    if (future < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("horizons and image sides must be >= 1, got " + future + ", " + height + " x " + width);
    }
    this.future = future;
    this.width = width;
    this.pixels = height * width;
  }

  /**
   * Scores a batch's forecast against the true future. Forecasts may differ in their slot count K
   * (the model's K, the number of true labels), read from the length of their masks.
   *
   * @param trueFuture [B, P, H, W, 3]
   * @param futureIds ground-truth ids [B, P, H, W]
   */
  public void add(Forecast f, float[] trueFuture, int[] futureIds, int batch) {
    add(f, trueFuture, futureIds, null, batch);
  }

  /**
   * As {@link #add(Forecast, float[], int[], int)}, with each object's motion since the observed
   * frames, for the centroid error split by motion.
   *
   * @param motion {@link dev.provide.train.metrics.Turns#classify} of the batch's clips: row b * P + h
   *     for sequence b at horizon h + 1; null for none
   */
  public void add(Forecast f, float[] trueFuture, int[] futureIds, int[][] motion, int batch) {
    if (motion != null && motion.length != batch * future) {
      throw new IllegalArgumentException("motion has " + motion.length + " rows, not " + batch + " x " + future);
    }
    long perSlot = (long) batch * future * pixels;
    if (f.masks().length == 0 || f.masks().length % perSlot != 0) {
      throw new IllegalArgumentException(f.name() + "'s masks hold " + f.masks().length + " values, not a whole number of slots of "
          + batch + " x " + future + " frames of " + pixels + " pixels");
    }
    int slots = (int) (f.masks().length / perSlot);
    ClipScores[] perHorizon = byPredictor.computeIfAbsent(f.name(), n -> filled(new ClipScores[future], ClipScores::new));
    ObjectRecall[] objects = objectsByPredictor.computeIfAbsent(f.name(), n -> filled(new ObjectRecall[future], ObjectRecall::new));
    ObjectPlacement[] placement =
        placementByPredictor.computeIfAbsent(f.name(), n -> filled(new ObjectPlacement[future], () -> new ObjectPlacement(width)));
    for (int h = 0; h < future; h++) {
      float[] masks = FrameRange.of(f.masks(), batch, future, h, h + 1, slots * pixels);
      int[] ids = FrameRange.of(futureIds, batch, future, h, h + 1, pixels);
      objects[h].add(masks, ids, batch, slots, pixels);
      int[] previousIds = h == 0 ? null : FrameRange.of(futureIds, batch, future, h - 1, h, pixels); // none before horizon 1 here
      int[][] motionNow = null;
      if (motion != null) {
        motionNow = new int[batch][];
        for (int b = 0; b < batch; b++) {
          motionNow[b] = motion[b * future + h];
        }
      }
      placement[h].add(masks, ids, previousIds, motionNow, batch, slots, pixels);
      perHorizon[h].add(
          masks,
          FrameRange.of(f.reconstruction(), batch, future, h, h + 1, pixels * 3),
          FrameRange.of(trueFuture, batch, future, h, h + 1, pixels * 3),
          ids,
          batch, 1, slots, pixels);
    }
  }

  private static <T> T[] filled(T[] array, java.util.function.Supplier<T> each) {
    for (int i = 0; i < array.length; i++) {
      array[i] = each.get();
    }
    return array;
  }

  /** The largest true object id a predictor's forecasts met at any horizon (0: none). */
  private int maxObjectId(String predictor) {
    return horizons().map(h -> objectsAt(predictor, h).maxId()).max().orElse(0);
  }

  /** The predictors scored, in the order they were first added. */
  public List<String> predictors() {
    return new ArrayList<>(byPredictor.keySet());
  }

  /** P. */
  public int future() {
    return future;
  }

  /** A predictor's scores at horizon h (1-based). */
  public ClipScores at(String predictor, int horizon) {
    return lookUp(byPredictor, predictor, horizon);
  }

  /** The entry of {@code byName} for a predictor at horizon h (1-based), or an error naming both. */
  private <T> T lookUp(Map<String, T[]> byName, String predictor, int horizon) {
    T[] s = byName.get(predictor);
    if (s == null || horizon < 1 || horizon > future) {
      throw new IllegalArgumentException("no scores for " + predictor + " at horizon " + horizon);
    }
    return s[horizon - 1];
  }

  /** How whole each true object stays in a predictor's masks at horizon h (1-based). */
  public ObjectRecall objectsAt(String predictor, int horizon) {
    return lookUp(objectsByPredictor, predictor, horizon);
  }

  /** Where a predictor's masks put the true objects at horizon h (1-based). */
  public ObjectPlacement placementAt(String predictor, int horizon) {
    return lookUp(placementByPredictor, predictor, horizon);
  }

  /** One metric of a predictor over horizons 1..P. */
  public double[] series(String predictor, Metric metric) {
    double[] out = new double[future];
    for (int h = 1; h <= future; h++) {
      out[h - 1] = metric.of(at(predictor, h));
    }
    return out;
  }

  /** A metric of a predictor over all horizons (every horizon holds as many frames). */
  public double overall(String predictor, Metric metric) {
    return java.util.Arrays.stream(series(predictor, metric)).average().orElse(Double.NaN);
  }

  /** The predictors that have a lower MSE than {@code predictor} at horizon h. */
  public List<String> beating(String predictor, int horizon) {
    double mine = at(predictor, horizon).mse();
    List<String> out = new ArrayList<>();
    for (String other : byPredictor.keySet()) {
      if (!other.equals(predictor) && at(other, horizon).mse() <= mine) {
        out.add(other);
      }
    }
    return out;
  }

  /** The metrics reported per horizon. */
  public enum Metric {
    MSE("mse"),
    ARI("ari"),
    F_ARI("f_ari");

    private final String key;

    Metric(String key) {
      this.key = key;
    }

    /** The name in JSON and tables. */
    public String key() {
      return key;
    }

    double of(ClipScores s) {
      return switch (this) {
        case MSE -> s.mse();
        case ARI -> s.ari();
        case F_ARI -> s.foregroundAri();
      };
    }
  }

  /** {predictor: {mse: [P], ari: [P], f_ari: [P]}}; a score not computed (no ground truth) is null. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String p : byPredictor.keySet()) {
      Map<String, List<Double>> metrics = new LinkedHashMap<>();
      for (Metric m : Metric.values()) {
        metrics.put(m.key(), java.util.Arrays.stream(series(p, m)).mapToObj(ClipScores::orNull).toList()); // null: not computed
      }
      Map<String, Object> entry = new LinkedHashMap<>(metrics);
      int maxId = maxObjectId(p);
      if (maxId > 0) {
        Map<String, List<Double>> recall = new LinkedHashMap<>(), slotZero = new LinkedHashMap<>(), centroid = new LinkedHashMap<>();
        for (int id = 1; id <= maxId; id++) {
          int object = id;
          recall.put(String.valueOf(id), horizons().mapToObj(h -> ClipScores.orNull(objectsAt(p, h).recall(object))).toList());
          slotZero.put(String.valueOf(id), horizons().mapToObj(h -> ClipScores.orNull(objectsAt(p, h).inSlotZero(object))).toList());
          centroid.put(String.valueOf(id), horizons().mapToObj(h -> ClipScores.orNull(placementAt(p, h).centroidError(object))).toList());
        }
        entry.put("object_recall", recall);
        entry.put("object_in_slot_0", slotZero);
        entry.put("object_centroid_error", centroid);
        for (PlacementMeasure m : PLACEMENT_MEASURES) {
          entry.put(m.key(), horizons().mapToObj(h -> ClipScores.orNull(m.of().applyAsDouble(placementAt(p, h)))).toList());
        }
      }
      out.put(p, entry);
    }
    return out;
  }

  private java.util.stream.IntStream horizons() {
    return java.util.stream.IntStream.rangeClosed(1, future);
  }

  /**
   * A Markdown table of {@link ObjectRecall} for one predictor: one row per horizon, per object id
   * the share of its pixels in its best slot and in slot 0; empty without object ids.
   */
  public String objectsMarkdown(String predictor) {
    int maxId = maxObjectId(predictor);
    if (maxId == 0) {
      return "";
    }
    StringBuilder b = new StringBuilder("\n| ").append(predictor).append(": object id at horizon |");
    for (int id = 1; id <= maxId; id++) {
      b.append(' ').append(id).append(" in best slot | ").append(id).append(" in slot 0 |");
    }
    b.append("\n|---|").append("---|---|".repeat(maxId));
    for (int h = 1; h <= future; h++) {
      b.append("\n| ").append(h).append(" |");
      ObjectRecall o = objectsAt(predictor, h);
      for (int id = 1; id <= maxId; id++) {
        b.append(' ').append(ClipScores.format(o.recall(id))).append(" | ").append(ClipScores.format(o.inSlotZero(id))).append(" |");
      }
    }
    return b.append('\n').toString();
  }

  /**
   * Markdown tables of {@link ObjectPlacement}, one row per horizon and one column per predictor
   * that placed any object: the mean centroid error in pixels, its along-track part (from horizon
   * 2, the true motion being measured from the horizon before), the mean area ratio, and, where the
   * objects' motion was given, the centroid error of objects moving as when the observed frames
   * ended and of those that turned since, and the share that turned; empty without object ids.
   */
  public String placementMarkdown() {
    List<String> placing = predictors().stream()
        .filter(p -> horizons().anyMatch(h -> placementAt(p, h).lost() < 1.0))
        .toList();
    if (placing.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (PlacementMeasure m : PLACEMENT_MEASURES) {
      if (m.title() == null) {
        continue;
      }
      b.append("\n| ").append(m.title()).append(" at horizon |");
      placing.forEach(p -> b.append(' ').append(p).append(" |"));
      b.append("\n|---|").append("---|".repeat(placing.size()));
      for (int h = 1; h <= future; h++) {
        b.append("\n| ").append(h).append(" |");
        for (String p : placing) {
          double v = m.of().applyAsDouble(placementAt(p, h));
          b.append(' ').append(Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v)).append(" |");
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** A Markdown table per metric: one row per horizon, one column per predictor. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    for (Metric m : Metric.values()) {
      b.append("\n| ").append(m.key()).append(" at horizon |");
      byPredictor.keySet().forEach(p -> b.append(' ').append(p).append(" |"));
      b.append("\n|---|");
      byPredictor.keySet().forEach(p -> b.append("---|"));
      for (int h = 1; h <= future; h++) {
        b.append("\n| ").append(h).append(" |");
        for (String p : byPredictor.keySet()) {
          double v = m.of(at(p, h));
          b.append(' ').append(m == Metric.MSE ? String.format(Locale.ROOT, "%.5f", v) : ClipScores.format(v)).append(" |");
        }
      }
      b.append('\n');
    }
    if (byPredictor.values().stream().noneMatch(s -> s[0].hasGroundTruth())) {
      b.append('\n').append(ClipScores.NO_GROUND_TRUTH).append('\n');
    }
    return b.toString();
  }
}
