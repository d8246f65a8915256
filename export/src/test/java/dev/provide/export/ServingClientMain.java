package dev.provide.export;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A stand-alone client run in a separate JVM with only the TensorFlow jars on its class path: it
 * loads the SavedModel with plain TensorFlow Java, calls every signature and writes the outputs.
 * Arguments: SAVED_MODEL_DIR VIDEO_FILE FRAMES SIZE OUT_DIR.
 */
public final class ServingClientMain {
  public static void main(String[] args) throws IOException {
    Path model = Path.of(args[0]);
    int frames = Integer.parseInt(args[2]), size = Integer.parseInt(args[3]);
    Path out = Path.of(args[4]);
    float[] video = read(Path.of(args[1]), frames * size * size * 3);
    try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve");
        TFloat32 v = TFloat32.tensorOf(Shape.of(1, frames, size, size, 3), DataBuffers.of(video, true, false))) {
      try (Result r = b.function("serving_default").call(Map.of("video", v))) {
        write(out.resolve("masks"), (TFloat32) r.get("masks").orElseThrow());
        write(out.resolve("reconstruction"), (TFloat32) r.get("reconstruction").orElseThrow());
      }
      try (Result r = b.function("predict").call(Map.of("video", v))) {
        write(out.resolve("future_frames"), (TFloat32) r.get("future_frames").orElseThrow());
      }
      SessionFunction step = b.function("step");
      Tensor h, c, l;
      try (TInt32 one = TInt32.scalarOf(1); Result r = b.function("initial_state").call(Map.of("batch_size", one))) {
        h = copy((TFloat32) r.get("state_h").orElseThrow());
        c = copy((TFloat32) r.get("state_c").orElseThrow());
        l = copy((TFloat32) r.get("state_lambda").orElseThrow());
      }
      int p = size * size * 3;
      for (int t = 0; t < frames; t++) {
        float[] frame = java.util.Arrays.copyOfRange(video, t * p, (t + 1) * p);
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, size, size, 3), DataBuffers.of(frame, true, false));
            TInt64 index = TInt64.scalarOf(t);
            Result r = step.call(Map.of("frame", x, "frame_index", index, "state_h", h, "state_c", c, "state_lambda", l))) {
          h.close();
          c.close();
          l.close();
          h = copy((TFloat32) r.get("next_state_h").orElseThrow());
          c = copy((TFloat32) r.get("next_state_c").orElseThrow());
          l = copy((TFloat32) r.get("next_state_lambda").orElseThrow());
          if (t == frames - 1) {
            write(out.resolve("step_last_masks"), (TFloat32) r.get("masks").orElseThrow());
          }
        }
      }
      try (Result r = b.function("predict_step").call(Map.of("state_h", h, "state_c", c, "state_lambda", l))) {
        write(out.resolve("predict_step_frame"), (TFloat32) r.get("frame").orElseThrow());
      }
      h.close();
      c.close();
      l.close();
      drawnPrediction(b, video, frames, size, out);
    }
    System.out.println("ok");
  }

  /**
   * README's recipe for the averaged-state rollout (MODEL.md 6f) through the signatures alone:
   * step the first min(3, F - 1) frames, go on from there with step_draw for draws 1..3, average
   * the three states and call predict_step from the average.
   */
  private static void drawnPrediction(SavedModelBundle b, float[] video, int frames, int size, Path out) throws IOException {
    int draws = 3, shared = Math.max(1, Math.min(3, frames - 1));
    float[][] state;
    try (TInt32 one = TInt32.scalarOf(1); Result r = b.function("initial_state").call(Map.of("batch_size", one))) {
      state = values(r, "state_");
    }
    for (int t = 0; t < shared; t++) {
      state = stepped(b, "step", video, t, size, -1, state);
    }
    float[][] sum = new float[3][];
    for (int i = 1; i <= draws; i++) {
      float[][] s = state;
      for (int t = shared; t < frames; t++) {
        s = stepped(b, "step_draw", video, t, size, i, s);
      }
      for (int j = 0; j < 3; j++) {
        sum[j] = sum[j] == null ? new float[s[j].length] : sum[j];
        for (int e = 0; e < s[j].length; e++) {
          sum[j][e] += s[j][e] / draws;
        }
      }
    }
    long[][] shapes = {{1, 3, sum[0].length / 3}, {1, 3, sum[1].length / 3}, {1, 3, sum[2].length / 3}};
    try (TFloat32 h = TFloat32.tensorOf(Shape.of(shapes[0]), DataBuffers.of(sum[0], true, false));
        TFloat32 c = TFloat32.tensorOf(Shape.of(shapes[1]), DataBuffers.of(sum[1], true, false));
        TFloat32 l = TFloat32.tensorOf(Shape.of(shapes[2]), DataBuffers.of(sum[2], true, false));
        Result r = b.function("predict_step").call(Map.of("state_h", h, "state_c", c, "state_lambda", l))) {
      write(out.resolve("drawn_predict_step_frame"), (TFloat32) r.get("frame").orElseThrow());
    }
  }

  /** One call of step (draw < 0) or step_draw on frame t from a state (h, c, lambda of one stream, 3 slots); the next state. */
  private static float[][] stepped(SavedModelBundle b, String signature, float[] video, int t, int size, int draw, float[][] state) {
    int p = size * size * 3;
    float[] frame = java.util.Arrays.copyOfRange(video, t * p, (t + 1) * p);
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, size, size, 3), DataBuffers.of(frame, true, false));
        TInt64 index = TInt64.scalarOf(t);
        TInt64 d = TInt64.scalarOf(draw);
        TFloat32 h = TFloat32.tensorOf(Shape.of(1, 3, state[0].length / 3), DataBuffers.of(state[0], true, false));
        TFloat32 c = TFloat32.tensorOf(Shape.of(1, 3, state[1].length / 3), DataBuffers.of(state[1], true, false));
        TFloat32 l = TFloat32.tensorOf(Shape.of(1, 3, state[2].length / 3), DataBuffers.of(state[2], true, false))) {
      Map<String, Tensor> in = new java.util.HashMap<>(Map.of("frame", x, "frame_index", index, "state_h", h, "state_c", c, "state_lambda", l));
      if (draw >= 0) {
        in.put("draw", d);
      }
      try (Result r = b.function(signature).call(in)) {
        return values(r, "next_state_");
      }
    }
  }

  /** h, c and lambda of a result, by their names' prefix (state_ or next_state_). */
  private static float[][] values(Result r, String prefix) {
    float[][] out = new float[3][];
    String[] names = {"h", "c", "lambda"};
    for (int j = 0; j < 3; j++) {
      TFloat32 t = (TFloat32) r.get(prefix + names[j]).orElseThrow();
      out[j] = new float[(int) t.shape().size()];
      t.copyTo(DataBuffers.of(out[j], false, false));
    }
    return out;
  }

  private static TFloat32 copy(TFloat32 t) {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return TFloat32.tensorOf(t.shape(), DataBuffers.of(v, true, false));
  }

  static float[] read(Path f, int n) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = in.readFloat();
      }
      return v;
    }
  }

  static void write(Path f, float[] v) throws IOException {
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(f))) {
      o.writeInt(v.length);
      for (float x : v) {
        o.writeFloat(x);
      }
    }
  }

  private static void write(Path f, TFloat32 t) throws IOException {
    float[] v = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    write(f, v);
  }

  static float[] readOutput(Path f) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
      int n = in.readInt();
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = in.readFloat();
      }
      return v;
    }
  }
}
