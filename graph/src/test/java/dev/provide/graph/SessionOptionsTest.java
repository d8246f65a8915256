package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/** The speed options (bfloat16 mixed precision, XLA) stay close to float32 results. */
class SessionOptionsTest {
  private static VideoInference.Clip decompose(ConfigProto config, float[] video) {
    ModelConfig c = TrainingGraphTest.tiny();
    try (Graph g = new Graph()) {
      InferenceGraph ig = InferenceGraph.build(g, c);
      try (Session s = new Session(g, config)) {
        s.initialize();
        return new VideoInference(s, ig).decompose(video, 2, 3, 5, 0f);
      }
    }
  }

  static double maxDifference(float[] a, float[] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @Test
  void bfloat16AndXlaStayCloseToFloat32() {
    float[] video = TrainingGraphTest.video(2, 3, 8, 3);
    VideoInference.Clip f32 = decompose(Devices.sessionConfig(false, 0, 0), video);
    // bfloat16 keeps 8 bits of mantissa: masks and reconstructions agree to a few hundredths.
    VideoInference.Clip bf16 = decompose(Devices.sessionConfig(false, 0, 0, true, false), video);
    assertTrue(maxDifference(f32.masks(), bf16.masks()) < 0.05, "bfloat16 masks differ by " + maxDifference(f32.masks(), bf16.masks()));
    assertTrue(maxDifference(f32.reconstruction(), bf16.reconstruction()) < 0.05);
    VideoInference.Clip xla = decompose(Devices.sessionConfig(false, 0, 0, false, true), video);
    assertTrue(maxDifference(f32.masks(), xla.masks()) < 1e-3, "XLA masks differ by " + maxDifference(f32.masks(), xla.masks()));
  }
}
