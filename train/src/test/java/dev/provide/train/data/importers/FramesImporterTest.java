package dev.provide.train.data.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.train.data.ClipRecord;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramesImporterTest {
  @TempDir Path dir;
  private static final int H = 6, W = 8;

  /** Object at (frame t, i, j): a 2x2 square moving right, and a fixed bar on row 5. */
  private static int object(int t, int i, int j) {
    if (i >= 1 && i < 3 && j >= t && j < t + 2) return 1;
    if (i == 5) return 2;
    return 0;
  }

  private static final int[] COLOURS = {0x000000, 0xff0000, 0x00ff00};

  private void writeVideo(Path frames, Path masks, String name, int count) throws IOException {
    Files.createDirectories(frames.resolve(name));
    Files.createDirectories(masks.resolve(name));
    for (int t = 0; t < count; t++) {
      BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
      BufferedImage mask = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          int o = object(t, i, j);
          img.setRGB(j, i, o == 0 ? 0x101010 : 0xffffff);
          mask.setRGB(j, i, COLOURS[o]);
        }
      }
      // Numbered without zero padding: 10 must sort after 9.
      ImageIO.write(img, "png", frames.resolve(name).resolve("frame_" + t + ".png").toFile());
      ImageIO.write(mask, "png", masks.resolve(name).resolve("frame_" + t + ".png").toFile());
    }
  }

  @Test
  void videoFoldersWithColourMasksInNumericOrder() throws IOException {
    Path frames = dir.resolve("frames"), masks = dir.resolve("masks");
    writeVideo(frames, masks, "video_2", 3);
    writeVideo(frames, masks, "video_10", 3);
    List<ClipRecord> clips = new ArrayList<>();
    assertEquals(2, FramesImporter.importFolders(frames, masks, FramesImporter.MaskSource.COLOUR_PNG, Crop.none(), 0, 10, clips::add));
    ClipRecord c = clips.get(0);
    assertEquals(3, c.numFrames());
    assertEquals(2, c.numObjects());
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          assertEquals(object(t, i, j), c.ids()[(t * H + i) * W + j], "t " + t + " pixel " + i + "," + j);
          assertEquals(object(t, i, j) == 0 ? 0x10 : 0xff, c.frames()[((t * H + i) * W + j) * 3] & 0xff);
        }
      }
    }
  }

  @Test
  void clevrerJsonMasks() throws IOException {
    Path frames = dir.resolve("frames"), masks = dir.resolve("masks");
    writeVideo(frames, masks, "video_00007", 2);
    Path json = dir.resolve("json");
    Files.createDirectories(json);
    // One object per frame: a 1-pixel-wide column. Column-major runs on 6 x 8: column 3 is pixels 18..23.
    String frame0 = "{\"frame_index\": 0, \"objects\": [{\"mask\": {\"size\": [6, 8], \"counts\": \"" + encode(18, 6, 24) + "\"}}]}";
    String frame1 = "{\"frame_index\": 1, \"objects\": []}";
    Files.writeString(json.resolve("proposal_00007.json"), "{\"video_index\": 7, \"frames\": [" + frame0 + "," + frame1 + "]}");
    List<ClipRecord> clips = new ArrayList<>();
    FramesImporter.importFolders(frames, json, FramesImporter.MaskSource.CLEVRER_JSON, Crop.none(), 0, 10, clips::add);
    ClipRecord c = clips.get(0);
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        assertEquals(j == 3 ? 1 : 0, c.ids()[i * W + j]);
        assertEquals(0, c.ids()[(H + i) * W + j]);
      }
    }
  }

  /** Three runs (zeros, ones, the remaining zeros) in COCO's string form; no differences before the fourth run. */
  private static String encode(int zeros, int ones, int total) {
    return encodeOne(zeros) + encodeOne(ones) + encodeOne(H * W - zeros - ones);
  }

  private static String encodeOne(int x) {
    StringBuilder b = new StringBuilder();
    boolean more = true;
    while (more) {
      int c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) != 0 ? x != -1 : x != 0;
      if (more) {
        c |= 0x20;
      }
      b.append((char) (c + 48));
    }
    return b.toString();
  }

  @Test
  void clearErrors() throws IOException {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    IOException e = assertThrows(IOException.class,
        () -> FramesImporter.importFolders(empty, null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
    assertTrue(e.getMessage().contains("no video folders"), e.getMessage());
    assertThrows(IOException.class,
        () -> FramesImporter.importFolders(dir.resolve("missing"), null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
  }
}
