package dev.provide.train.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.train.Golden;
import dev.provide.graph.LoadedModel;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RendererTest {
  @TempDir Path dir;

  @Test
  void writesThePictureTheAnimationAndAReportTitledByTheSequence() throws Exception {
    try (LoadedModel m = LoadedModel.open(Path.of("..", "testdata", "model"), false, 0)) {
      List<ClipRecord> clips = Golden.inputs(m.config().imageSize());
      Renderer.Output o = Renderer.render(m, clips.get(0), 3, 2, 1, dir, "sequence-0", "sequence 0 of golden.tfrecord");
      String html = Files.readString(o.html());
      assertTrue(html.contains("<title>Decomposition of sequence 0 of golden.tfrecord</title>"), html);
      assertFalse(html.contains("sequence sequence"), html);
      assertTrue(html.contains("predicted 4-5"), html);
      assertEquals(dir.resolve("sequence-0.png"), o.png());
      assertTrue(Files.size(o.png()) > 0 && Files.size(o.gif()) > 0);
    }
  }
}
