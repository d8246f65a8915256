package dev.provide.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/** What TensorFlow Serving's metadata endpoint would print, read from saved_model.pb with the protobuf classes. */
class ServingMetadataTest {
  @TempDir Path dir;

  private static String describe(TensorInfo t) {
    StringBuilder b = new StringBuilder(t.getDtype().name()).append(" [");
    for (int i = 0; i < t.getTensorShape().getDimCount(); i++) {
      b.append(i == 0 ? "" : ", ").append(t.getTensorShape().getDim(i).getSize());
    }
    return b.append("]").toString();
  }

  private static Map<String, String> describe(Map<String, TensorInfo> m) {
    Map<String, String> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, describe(v)));
    return out;
  }

  @Test
  void signaturesNamesDtypesShapesAndMethods() throws Exception {
    Checkpoints.Checkpoint cp = TinyModel.checkpoint(dir.resolve("model"));
    Path saved = SavedModelExporter.export(cp, dir.resolve("serving"), 7, 5, 3);
    assertTrue(Files.exists(saved.resolve("variables").resolve("variables.index")));
    SavedModel sm = SavedModel.parseFrom(Files.readAllBytes(saved.resolve("saved_model.pb")));
    assertEquals(1, sm.getMetaGraphsCount());
    MetaGraphDef mg = sm.getMetaGraphs(0);
    assertEquals(List.of("serve"), mg.getMetaInfoDef().getTagsList());
    Map<String, SignatureDef> sigs = mg.getSignatureDefMap();
    assertEquals(Set.of("serving_default", "predict", "step", "step_draw", "predict_step", "initial_state"), sigs.keySet());
    sigs.values().forEach(s -> assertEquals("tensorflow/serving/predict", s.getMethodName()));
    // K = 3, 8 x 8 frames, D = 4, L = 8; F = 5, P = 3 fixed at export; -1 = any batch.
    assertEquals(Map.of("video", "DT_FLOAT [-1, 5, 8, 8, 3]"), describe(sigs.get("serving_default").getInputsMap()));
    assertEquals(Map.of(
        "masks", "DT_FLOAT [-1, 5, 3, 8, 8]",
        "means", "DT_FLOAT [-1, 5, 3, 8, 8, 3]",
        "reconstruction", "DT_FLOAT [-1, 5, 8, 8, 3]",
        "latents", "DT_FLOAT [-1, 5, 3, 4]",
        "segmentation", "DT_INT32 [-1, 5, 8, 8]"), describe(sigs.get("serving_default").getOutputsMap()));
    assertEquals(Map.of(
        "future_frames", "DT_FLOAT [-1, 3, 8, 8, 3]",
        "future_masks", "DT_FLOAT [-1, 3, 3, 8, 8]",
        "future_means", "DT_FLOAT [-1, 3, 3, 8, 8, 3]"), describe(sigs.get("predict").getOutputsMap()));
    assertEquals(Map.of(
        "frame", "DT_FLOAT [-1, 8, 8, 3]",
        "frame_index", "DT_INT64 []",
        "state_h", "DT_FLOAT [-1, 3, 8]",
        "state_c", "DT_FLOAT [-1, 3, 8]",
        "state_lambda", "DT_FLOAT [-1, 3, 8]"), describe(sigs.get("step").getInputsMap()));
    assertEquals(Set.of("masks", "means", "reconstruction", "latents", "segmentation", "next_state_h", "next_state_c",
        "next_state_lambda"), sigs.get("step").getOutputsMap().keySet());
    Map<String, String> drawInputs = new TreeMap<>(describe(sigs.get("step").getInputsMap()));
    drawInputs.put("draw", "DT_INT64 []");
    assertEquals(drawInputs, describe(sigs.get("step_draw").getInputsMap()));
    assertEquals(sigs.get("step").getOutputsMap(), sigs.get("step_draw").getOutputsMap(), "step_draw answers from step's tensors");
    assertEquals(DataType.DT_INT32, sigs.get("initial_state").getInputsMap().get("batch_size").getDtype());
    assertEquals(Set.of("frame", "masks", "means", "segmentation", "next_state_h", "next_state_c", "next_state_lambda"),
        sigs.get("predict_step").getOutputsMap().keySet());
    // Lean: no optimiser state in the exported graph.
    assertTrue(mg.getGraphDef().getNodeList().stream().noneMatch(n -> n.getName().startsWith("optimizer")));
  }
}
