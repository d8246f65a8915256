package dev.provide.export;

import com.google.gson.GsonBuilder;
import dev.provide.graph.ModelConfig;
import dev.provide.ops.PartialFiles;
import dev.provide.ops.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Example request bodies for TensorFlow Serving's REST API ({@code POST
 * /v1/models/NAME:predict}), written beside an export under {@code assets.extra/requests/}: one
 * per signature that a first call needs, in the columnar {@code "inputs"} format, with the exact
 * input names and shapes of this export. {@code step.json} carries the model's own initial state,
 * so it is the first frame of a stream as served.
 */
public final class ServingRequests {
  /** The folder under {@code assets.extra}. */
  public static final String FOLDER = "requests";

  private ServingRequests() {}

  /**
   * Writes {@code serving_default.json} (a black clip of {@code frames} frames),
   * {@code initial_state.json} (batch 1) and {@code step.json} (a black frame 0 with the state
   * the export's {@code initial_state} returns).
   *
   * @param session the session holding the exported graph and weights
   * @param serving the exported signatures
   */
  static void write(Path dir, ModelConfig c, int frames, Session session, ServingGraph serving) throws IOException {
    Files.createDirectories(dir);
    int s = c.imageSize();
    write(dir.resolve("serving_default.json"), "serving_default", Map.of("video", zeros(1, frames, s, s, 3)));
    write(dir.resolve("initial_state.json"), "initial_state", Map.of("batch_size", 1));
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("frame", zeros(1, s, s, 3));
    step.put("frame_index", 0);
    SessionFunction initial = SessionFunction.create(serving.byKey.get("initial_state"), session);
    try (TInt32 one = TInt32.scalarOf(1); Result r = initial.call(Map.of("batch_size", one))) {
      for (String name : List.of("state_h", "state_c", "state_lambda")) {
        Tensor t = r.get(name).orElseThrow(() -> new IllegalStateException("initial_state has no output " + name));
        step.put(name, nested(Tensors.toFloats((TFloat32) t), t.shape().asArray(), 0, 0));
      }
    }
    write(dir.resolve("step.json"), "step", step);
  }

  private static void write(Path file, String signature, Map<String, Object> inputs) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("signature_name", signature);
    body.put("inputs", inputs);
    PartialFiles.writeString(file, new GsonBuilder().create().toJson(body) + "\n");
  }

  private static Object zeros(long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return nested(new float[Math.toIntExact(n)], shape, 0, 0);
  }

  /** The values from {@code offset} as nested lists of the given shape (a scalar for no dimensions). */
  private static Object nested(float[] v, long[] shape, int axis, int offset) {
    if (axis == shape.length) {
      return v[offset];
    }
    int stride = 1;
    for (int i = axis + 1; i < shape.length; i++) {
      stride *= (int) shape[i];
    }
    List<Object> out = new ArrayList<>((int) shape[axis]);
    for (int i = 0; i < shape[axis]; i++) {
      out.add(nested(v, shape, axis + 1, offset + i * stride));
    }
    return out;
  }
}
