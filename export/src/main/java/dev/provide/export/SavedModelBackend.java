package dev.provide.export;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ConfigJson;
import dev.provide.graph.ModelConfig;
import dev.provide.ops.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * An exported SavedModel, run through its {@code step}, {@code step_draw} (where it has one),
 * {@code predict_step} and {@code initial_state} signatures.
 */
final class SavedModelBackend implements Backend {
  private final SavedModelBundle bundle;
  private final ModelConfig config;
  private final SessionFunction step;
  /** Absent in SavedModels exported before it was added. */
  private final Optional<SessionFunction> stepDraw;
  private final SessionFunction predictStep;
  private final SessionFunction initialState;

  SavedModelBackend(Path dir) throws IOException {
    Path configFile = dir.resolve("assets.extra").resolve(Checkpoints.CONFIG);
    if (!Files.exists(configFile)) {
      throw new IOException(dir + " is a SavedModel without assets.extra/" + Checkpoints.CONFIG + " (not exported by provide export)");
    }
    this.config = ConfigJson.read(configFile);
    this.bundle = SavedModelBundle.load(dir.toString(), SavedModelExporter.TAG);
    try {
      this.step = bundle.function("step");
      this.predictStep = bundle.function("predict_step");
      this.initialState = bundle.function("initial_state");
      this.stepDraw = bundle.metaGraphDef().getSignatureDefMap().containsKey("step_draw")
          ? Optional.of(bundle.function("step_draw")) : Optional.empty();
    } catch (IllegalArgumentException e) {
      bundle.close();
      throw new IOException(dir + " lacks the step, predict_step or initial_state signature: " + e.getMessage(), e);
    }
  }

  @Override
  public ModelConfig config() {
    return config;
  }

  @Override
  public State initial(int batch) {
    try (TInt32 b = TInt32.scalarOf(batch);
        Result r = initialState.call(Map.of("batch_size", b))) {
      return new State(floats(r, "state_h"), floats(r, "state_c"), floats(r, "state_lambda"), batch, 0);
    }
  }

  @Override
  public Frame step(State s, float[] frame, int draw) {
    if (draw != 0 && stepDraw.isEmpty()) {
      throw new IllegalArgumentException("this SavedModel has no step_draw signature (it was exported before draws were served): "
          + "export it again with provide export to predict with observe draws");
    }
    int size = config.imageSize();
    Map<String, Tensor> in = new LinkedHashMap<>();
    try (TFloat32 x = Tensors.floats(frame, s.batch(), size, size, 3);
        TInt64 index = TInt64.scalarOf(s.nextFrame());
        TInt64 drawIndex = TInt64.scalarOf(draw)) {
      in.put("frame", x);
      in.put("frame_index", index);
      if (draw != 0) {
        in.put("draw", drawIndex);
      }
      try (StateTensors st = new StateTensors(s, config, in);
          Result r = (draw == 0 ? step : stepDraw.get()).call(in)) {
        State next = new State(floats(r, "next_state_h"), floats(r, "next_state_c"), floats(r, "next_state_lambda"), s.batch(), s.nextFrame() + 1);
        return new Frame(floats(r, "masks"), floats(r, "means"), floats(r, "reconstruction"),
            Tensors.toInts((TInt32) r.get("segmentation").orElseThrow()), floats(r, "latents"), next);
      }
    }
  }

  @Override
  public Frame predict(State s) {
    Map<String, Tensor> in = new LinkedHashMap<>();
    try (TInt64 index = TInt64.scalarOf(s.nextFrame());
        StateTensors st = new StateTensors(s, config, in)) {
      if (config.temporal().inferredRollout()) { // MODEL.md 6c: predict_step infers the predicted frame at its position
        in.put("frame_index", index);
      }
      return predict(s, in);
    }
  }

  private Frame predict(State s, Map<String, Tensor> in) {
    try (Result r = predictStep.call(in)) {
      State next = new State(floats(r, "next_state_h"), floats(r, "next_state_c"), floats(r, "next_state_lambda"), s.batch(), s.nextFrame() + 1);
      return new Frame(floats(r, "masks"), floats(r, "means"), floats(r, "frame"),
          Tensors.toInts((TInt32) r.get("segmentation").orElseThrow()), new float[0], next);
    }
  }

  private static float[] floats(Result r, String name) {
    return Tensors.toFloats((TFloat32) r.get(name).orElseThrow(() -> new IllegalStateException("the SavedModel returned no '" + name + "'")));
  }

  /** The state as tensors, added to a feed map and closed afterwards. */
  private static final class StateTensors implements AutoCloseable {
    private final TFloat32 h, c, lambda;

    StateTensors(State s, ModelConfig config, Map<String, Tensor> in) {
      int k = config.slots(), l = config.lstmSize(), d = config.latentSize();
      h = Tensors.floats(s.h(), s.batch(), k, l);
      c = Tensors.floats(s.c(), s.batch(), k, l);
      lambda = Tensors.floats(s.lambda(), s.batch(), k, 2L * d);
      in.put("state_h", h);
      in.put("state_c", c);
      in.put("state_lambda", lambda);
    }

    @Override
    public void close() {
      h.close();
      c.close();
      lambda.close();
    }
  }

  @Override
  public void close() {
    bundle.close();
  }
}
