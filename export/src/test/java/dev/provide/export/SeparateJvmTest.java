package dev.provide.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export loads in a fresh JVM that has only TensorFlow Java on its class path. */
class SeparateJvmTest {
  @TempDir Path dir;

  @Test
  void everySignatureMatchesTheInProcessModel() throws Exception {
    Checkpoints.Checkpoint cp = TinyModel.checkpoint(dir.resolve("model"));
    int frames = 4;
    Path saved = SavedModelExporter.export(cp, dir.resolve("serving"), 1, frames, 2);
    float[] video = TinyModel.video(frames, 9);
    Path videoFile = dir.resolve("video.bin");
    try (var o = new java.io.DataOutputStream(Files.newOutputStream(videoFile))) {
      for (float v : video) {
        o.writeFloat(v);
      }
    }
    Path out = Files.createDirectories(dir.resolve("out"));
    String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> p.contains("tensorflow") || p.contains("ndarray") || p.contains("javacpp") || p.contains("protobuf")
            || p.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(!classpath.contains("provide-graph") && !classpath.contains("provide-ops"), classpath);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, ServingClientMain.class.getName(), saved.toString(), videoFile.toString(),
        String.valueOf(frames), "8", out.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the client did not finish");
    assertEquals(0, p.exitValue(), log);

    try (VideoDecomposer m = VideoDecomposer.open(cp.dir())) {
      Decomposition d = m.decompose(video, frames);
      Decomposition future = m.predict(video, frames, 2);
      assertClose(d.masks(), ServingClientMain.readOutput(out.resolve("masks")));
      assertClose(d.reconstruction(), ServingClientMain.readOutput(out.resolve("reconstruction")));
      assertClose(future.reconstruction(), ServingClientMain.readOutput(out.resolve("future_frames")));
      int per = 3 * 8 * 8;
      assertClose(java.util.Arrays.copyOfRange(d.masks(), (frames - 1) * per, frames * per),
          ServingClientMain.readOutput(out.resolve("step_last_masks")));
      assertClose(java.util.Arrays.copyOfRange(future.reconstruction(), 0, 8 * 8 * 3),
          ServingClientMain.readOutput(out.resolve("predict_step_frame")));
      // README's averaged-state recipe with step, step_draw and predict_step, 3 draws (MODEL.md 6f).
      assertClose(m.predict(video, frames, 1, 3).reconstruction(), ServingClientMain.readOutput(out.resolve("drawn_predict_step_frame")));
    }
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-5, "entry " + i);
    }
  }
}
