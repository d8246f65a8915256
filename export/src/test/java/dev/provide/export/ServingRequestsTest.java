package dev.provide.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.provide.graph.Checkpoints;
import dev.provide.ops.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The example REST requests written with an export are valid for its signatures: each is read as
 * TensorFlow Serving's columnar "inputs" format would be and called on the SavedModel.
 */
class ServingRequestsTest {
  @TempDir Path dir;

  @Test
  void aFailedExportLeavesNoFolderBehind() throws Exception {
    Checkpoints.Checkpoint cp = TinyModel.checkpoint(dir.resolve("damaged"));
    // the variables cut short: restoring fails after the export folder was made
    Path data = cp.dir().resolve("model.data-00000-of-00001");
    byte[] bytes = java.nio.file.Files.readAllBytes(data);
    java.nio.file.Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path base = dir.resolve("new-folder");
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> SavedModelExporter.export(cp, base, 1, 5, 3));
    org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(base), "the folder the export made is gone");
  }

  @Test
  void everyExampleRequestRunsOnTheExportAndStepStartsFromTheInitialState() throws Exception {
    Checkpoints.Checkpoint cp = TinyModel.checkpoint(dir.resolve("model"));
    Path saved = SavedModelExporter.export(cp, dir.resolve("serving"), 1, 5, 3);
    Path requests = saved.resolve("assets.extra").resolve(ServingRequests.FOLDER);
    try (SavedModelBundle b = SavedModelBundle.load(saved.toString(), SavedModelExporter.TAG)) {
      float[] initialH;
      try (TInt32 one = TInt32.scalarOf(1); Result r = b.function("initial_state").call(Map.of("batch_size", one))) {
        initialH = Tensors.toFloats((TFloat32) r.get("state_h").orElseThrow());
      }
      for (String name : List.of("serving_default", "initial_state", "step")) {
        JsonObject body = JsonParser.parseString(Files.readString(requests.resolve(name + ".json"))).getAsJsonObject();
        assertEquals(name, body.get("signature_name").getAsString());
        Map<String, Tensor> inputs = new HashMap<>();
        try {
          for (Map.Entry<String, JsonElement> e : body.getAsJsonObject("inputs").entrySet()) {
            inputs.put(e.getKey(), tensor(e.getKey(), e.getValue()));
          }
          try (Result r = b.function(name).call(inputs)) {
            assertTrue(r.size() > 0, name);
          }
          if (name.equals("step")) {
            assertArrayEquals(initialH, Tensors.toFloats((TFloat32) inputs.get("state_h")), "step.json starts from initial_state");
            assertArrayEquals(new long[] {1, 8, 8, 3}, inputs.get("frame").shape().asArray());
          }
        } finally {
          inputs.values().forEach(Tensor::close);
        }
      }
    }
  }

  /** A JSON value as TensorFlow Serving reads it for this project's inputs (float arrays, int scalars). */
  private static Tensor tensor(String input, JsonElement v) {
    if (v.isJsonPrimitive()) {
      return input.equals("batch_size") ? TInt32.scalarOf(v.getAsInt()) : TInt64.scalarOf(v.getAsLong());
    }
    List<Long> shape = new ArrayList<>();
    JsonElement e = v;
    while (e.isJsonArray()) {
      shape.add((long) e.getAsJsonArray().size());
      e = e.getAsJsonArray().get(0);
    }
    List<Float> values = new ArrayList<>();
    flatten(v, values);
    float[] f = new float[values.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = values.get(i);
    }
    return Tensors.floats(f, shape.stream().mapToLong(Long::longValue).toArray());
  }

  private static void flatten(JsonElement e, List<Float> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : (JsonArray) e) {
        flatten(x, out);
      }
    } else {
      out.add(e.getAsFloat());
    }
  }
}
