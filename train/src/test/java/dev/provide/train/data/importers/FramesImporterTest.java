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
    assertTrue(e.getMessage().contains("no folders of PNG or JPEG frames"), e.getMessage());
    assertThrows(IOException.class,
        () -> FramesImporter.importFolders(dir.resolve("missing"), null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
  }

  private static final int VH = 48, VW = 64;

  /** The MP4 fixtures made by testdata/video/make.sh (ffmpeg, libx264 with B-frames). */
  private static final Path VIDEOS = Path.of("..", "testdata", "video");

  /** Luma of the fixtures' pixel: a bright 16 x 16 square moving 2 pixels right per frame over a dark background. */
  private static int videoLuma(int t, int i, int j) {
    return i >= 16 && i < 32 && j >= 8 + 2 * t && j < 24 + 2 * t ? 240 : 32;
  }

  /** Copies fixture videos into a folder of the test's own. */
  private Path videoFolder(String... names) throws IOException {
    Path videos = dir.resolve("videos");
    Files.createDirectories(videos);
    for (String n : names) {
      Files.copy(VIDEOS.resolve(n), videos.resolve(n));
    }
    return videos;
  }

  @Test
  void videoFilesAreDecodedInDisplayOrderAndNumericOrder() throws IOException {
    Path videos = videoFolder("clip_10.mp4", "clip_2.mp4");
    Files.writeString(videos.resolve("notes.txt"), "not a video");
    List<ClipRecord> clips = new ArrayList<>();
    assertEquals(2, FramesImporter.importFolders(videos, null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, clips::add));
    assertEquals(12, clips.get(0).numFrames(), "clip_2 sorts before clip_10");
    assertEquals(5, clips.get(1).numFrames());
    ClipRecord c = clips.get(0);
    assertEquals(VH, c.height());
    assertEquals(VW, c.width());
    for (int t = 0; t < 12; t++) {
      double error = 0;
      for (int i = 0; i < VH; i++) {
        for (int j = 0; j < VW; j++) {
          // studio-range luma 32 / 240 is RGB 19 / 255
          int expected = videoLuma(t, i, j) == 240 ? 255 : 19;
          error += Math.abs((c.frames()[((t * VH + i) * VW + j) * 3 + 1] & 0xff) - expected);
        }
      }
      // H.264 is lossy, so within a few levels; a frame out of order (the square 2 pixels off) is off by about 5.
      double mean = error / (VH * VW);
      assertTrue(mean < 2, "frame " + t + ": mean absolute error " + mean);
    }
    // one video file alone, with --max-frames
    List<ClipRecord> one = new ArrayList<>();
    FramesImporter.importFolders(videos.resolve("clip_2.mp4"), null, FramesImporter.MaskSource.NONE, Crop.none(), 4, 10, one::add);
    assertEquals(4, one.get(0).numFrames());
    assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOf(c.frames(), 4 * VH * VW * 3)),
        java.util.Arrays.toString(one.get(0).frames()));
  }

  @Test
  void aVideoFileTakesClevrerMasksByItsNumber() throws IOException {
    Path videos = videoFolder("video_10007.mp4");
    Path json = dir.resolve("json");
    Files.createDirectories(json);
    // column 5 of frame 0 is object 1 (column-major runs on 48 x 64: pixels 240..287)
    String frame0 = "{\"frame_index\": 0, \"objects\": [{\"mask\": {\"size\": [48, 64], \"counts\": \""
        + encodeOne(5 * VH) + encodeOne(VH) + encodeOne(VH * VW - 6 * VH) + "\"}}]}";
    Files.writeString(json.resolve("proposal_10007.json"), "{\"video_index\": 10007, \"frames\": [" + frame0 + "]}");
    List<ClipRecord> clips = new ArrayList<>();
    FramesImporter.importFolders(videos, json, FramesImporter.MaskSource.CLEVRER_JSON, Crop.none(), 0, 10, clips::add);
    ClipRecord c = clips.get(0);
    assertEquals(1, c.numObjects());
    for (int i = 0; i < VH; i++) {
      for (int j = 0; j < VW; j++) {
        assertEquals(j == 5 ? 1 : 0, c.ids()[i * VW + j], "pixel " + i + "," + j);
      }
    }
    assertEquals(10007, FramesImporter.lastNumber("video_10007.mp4"));
    assertEquals(7, FramesImporter.lastNumber("video.007"));
  }

  @Test
  void videoFilesThatCannotBeReadGetOneLineErrors() throws IOException {
    Path bad = dir.resolve("broken.mp4");
    Files.write(bad, new byte[] {0, 0, 0, 8, 'f', 't', 'y', 'p', 1, 2, 3});
    IOException e = assertThrows(IOException.class,
        () -> FramesImporter.importFolders(bad, null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
    assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("ffmpeg -i " + bad), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
    Path avi = dir.resolve("clip.avi");
    Files.writeString(avi, "RIFF");
    e = assertThrows(IOException.class,
        () -> FramesImporter.importFolders(avi, null, FramesImporter.MaskSource.NONE, Crop.none(), 0, 10, c -> {}));
    assertTrue(e.getMessage().contains("ffmpeg -i " + avi), e.getMessage());
    Path good = VIDEOS.resolve("clip_10.mp4");
    e = assertThrows(IOException.class,
        () -> FramesImporter.importFolders(good, dir, FramesImporter.MaskSource.COLOUR_PNG, Crop.none(), 0, 10, c -> {}));
    assertTrue(e.getMessage().contains("--clevrer-masks"), e.getMessage());
  }

  @Test
  void aStreamOnWhichTheDecoderLoopsFailsWithinTheFrameTimeout() throws IOException {
    Path damaged = VIDEOS.resolve("damaged-decoder-loops.mp4");
    long start = System.nanoTime();
    IOException e = assertThrows(IOException.class, () -> {
      try (VideoFile v = VideoFile.open(damaged, java.time.Duration.ofSeconds(2))) {
        while (v.next() != null) {
          // decode every frame
        }
      }
    });
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(e.getMessage().contains("did not decode within 2 s") && e.getMessage().startsWith(damaged.toString()), e.getMessage());
    assertTrue(seconds < 10, "took " + seconds + " s");
  }
}
