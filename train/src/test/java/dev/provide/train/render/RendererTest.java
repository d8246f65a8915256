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
      // Labelled: every row has its name in the left margin, and the header numbers the frames.
      java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(o.png().toFile());
      int k = m.config().slots(), rows = 3 + 2 * k, cell = (png.getHeight() - 34 - 2) / rows;
      int size = m.config().imageSize(), scale = Math.max(2, 96 / size);
      assertEquals(132 + 5 * (size * scale + 2) + 2, png.getWidth(), "a 132-pixel label margin left of the 5 frames");
      assertEquals(34 + rows * (size * scale + 2) + 2, png.getHeight(), "a 34-pixel header above the rows");
      for (int r = 0; r < rows; r++) {
        assertTrue(inked(png, 0, 110, 34 + 2 + r * cell, 34 + (r + 1) * cell), "no label in the margin of row " + r);
      }
      assertTrue(inked(png, 132, png.getWidth(), 0, 34), "no column header");
    }
  }

  /** Whether the box [x0, x1) x [y0, y1) holds a pixel that is not white. */
  private static boolean inked(java.awt.image.BufferedImage img, int x0, int x1, int y0, int y1) {
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        if ((img.getRGB(x, y) & 0xffffff) != 0xffffff) {
          return true;
        }
      }
    }
    return false;
  }
}
