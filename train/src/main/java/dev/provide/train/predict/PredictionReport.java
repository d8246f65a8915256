package dev.provide.train.predict;

import com.google.gson.GsonBuilder;
import dev.provide.ops.PartialFiles;
import dev.provide.train.metrics.Turns;
import dev.provide.train.render.HorizonPlot;
import dev.provide.train.render.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@link HorizonScores} as the prediction report: JSON, Markdown and a PNG plot. */
public final class PredictionReport {
  /** File names in the output folder. */
  public static final String JSON = "prediction.json", MARKDOWN = "prediction.md", PLOT = "prediction.png";

  private PredictionReport() {}

  /**
   * What was predicted.
   *
   * @param observed frames observed before the predicted ones
   * @param sequences sequences scored
   * @param data the clip file
   * @param rollout what each predicted frame decoded ("mean" or "sample")
   */
  public record Setup(int observed, int sequences, Path data, String rollout) {}

  /** The Markdown tables, with a line on what the model beats. */
  public static String markdown(HorizonScores h, Setup s) {
    StringBuilder b = new StringBuilder();
    b.append("Prediction of ").append(s.sequences()).append(" sequences of ").append(s.data().getFileName()).append(": ")
        .append(s.observed()).append(" frames observed, ").append(h.future()).append(" predicted (rollout: ").append(s.rollout())
        .append("); horizon h is the h-th frame after the observed ones.\n");
    b.append(h.toMarkdown());
    if (h.predictors().size() > 1 && h.predictors().contains(Forecast.MODEL)) {
      List<Integer> lost = new java.util.ArrayList<>();
      for (int t = 1; t <= h.future(); t++) {
        List<String> ahead = new java.util.ArrayList<>(h.beating(Forecast.MODEL, t));
        ahead.remove(Baselines.TRUE_MASKS_VELOCITY);
        ahead.remove(KeptAreaSegmentation.NAME); // the model's own forecast, read out otherwise
        if (!ahead.isEmpty()) {
          lost.add(t);
        }
      }
      b.append('\n').append(lost.isEmpty()
          ? "The model's MSE is below every baseline's at every horizon.\n"
          : "A baseline's MSE is at or below the model's at horizons " + lost + ".\n");
      if (h.predictors().contains(KeptAreaSegmentation.NAME)) {
        b.append(KeptAreaSegmentation.NAME).append(" is the model's forecast segmented so that each object slot keeps the "
            + "number of pixels it held in the last observed frame, its most probable ones (docs/MODEL.md section 9): not a "
            + "baseline; its predicted frames, and so its MSE, are the model's.\n");
      }
      if (h.predictors().contains(Baselines.TRUE_MASKS_VELOCITY)) {
        b.append(Baselines.TRUE_MASKS_VELOCITY).append(" is constant velocity on the true masks (it reads the labels): "
            + "a reference for linear extrapolation of perfectly segmented objects, not a baseline.\n");
      }
    }
    String objects = h.predictors().contains(Forecast.MODEL) ? h.objectsMarkdown(Forecast.MODEL) : "";
    if (!objects.isEmpty()) {
      b.append("\nWhich true objects the model's predicted masks keep whole: per object id, the share of its pixels in "
          + "the slot holding most of them, and in slot 0 (the background slot), averaged over the frames it appears in.\n")
          .append(objects);
    }
    String placement = h.placementMarkdown();
    if (!placement.isEmpty()) {
      b.append("\nWhere the predicted masks put the true objects: each object's slot is the one (slot 0, the background, "
          + "aside) holding most of its pixels; the centroid error is the distance in pixels between the centroids of "
          + "everything that slot holds and of the object, the area ratio the slot's pixels over the object's. Means over "
          + "the objects' appearances; an object wholly in slot 0 counts as lost (prediction.json: objects_lost), not here. "
          + "The along-track error is the centroid error's projection on the object's true motion since the frame before: "
          + "negative where the forecast lags behind the object. On labelled data the centroid error is also split by the "
          + "object's true motion: an object has turned (bounced off a wall or another object) by a horizon once a centroid "
          + "step since the last observed frame points more than " + (int) Turns.DEFAULT_DEGREES + " degrees away from its step "
          + "between the last two observed frames; a forecast that carries the observed motion on can be right only for the "
          + "others.\n")
          .append(placement);
    }
    return b.toString();
  }

  /** Writes prediction.json, prediction.md and prediction.png to {@code out} (each whole or not at all). */
  public static void write(Path out, HorizonScores h, Setup s, String model, int slots) throws IOException {
    Files.createDirectories(out);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("data", s.data().toString());
    json.put("model", model);
    json.put("slots", slots);
    json.put("sequences", s.sequences());
    json.put("observed", s.observed());
    json.put("future", h.future());
    json.put("rollout", s.rollout());
    json.put("horizons", h.toMap());
    Images.writePng(HorizonPlot.draw(h, "Prediction, " + s.sequences() + " sequences of " + s.data().getFileName() + ", "
        + s.observed() + " frames observed"), out.resolve(PLOT));
    PartialFiles.writeString(out.resolve(MARKDOWN), markdown(h, s));
    PartialFiles.writeString(out.resolve(JSON), new GsonBuilder().setPrettyPrinting().create().toJson(json));
  }
}
