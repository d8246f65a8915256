package dev.provide.train.data.importers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.provide.train.data.ClipRecord;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Imports folders of frames, as the paper's scripts store Bouncing Balls and CLEVRER: one folder
 * per video of numbered PNG (or JPEG) frames, sorted by the number in their names. Ground truth,
 * optional, comes either from a parallel folder of colour-coded PNGs (same video folder and frame
 * names; black is background, every other colour one object, numbered in order of first
 * appearance in the video) or from CLEVRER's mask files: one JSON per video (matched by the number
 * in the video folder's name) with COCO run-length-encoded masks per object per frame.
 */
public final class FramesImporter {
  private static final Pattern NUMBER = Pattern.compile("(\\d+)");

  private FramesImporter() {}

  /** Where the ground truth comes from. */
  public enum MaskSource { NONE, COLOUR_PNG, CLEVRER_JSON }

  /**
   * Imports every video folder under {@code root} (or {@code root} itself when it holds frames).
   *
   * @param masks the mask folder (null for none)
   * @param maxFrames at most this many frames per video (0 = all)
   */
  public static long importFolders(Path root, Path masks, MaskSource source, Crop crop, int maxFrames, long limit,
      Consumer<ClipRecord> sink) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException(root + " is not a folder of videos");
    }
    List<Path> videos = new ArrayList<>();
    if (!frameFiles(root).isEmpty()) {
      videos.add(root);
    } else {
      try (Stream<Path> s = Files.list(root)) {
        s.filter(Files::isDirectory).sorted(byNumberThenName()).forEach(videos::add);
      }
    }
    if (videos.isEmpty()) {
      throw new IOException(root + " holds no video folders with PNG or JPEG frames");
    }
    long n = 0;
    for (Path video : videos) {
      if (n >= limit) {
        break;
      }
      sink.accept(importVideo(video, masks, source, crop, maxFrames));
      n++;
    }
    return n;
  }

  static ClipRecord importVideo(Path video, Path masks, MaskSource source, Crop crop, int maxFrames) throws IOException {
    List<Path> frames = frameFiles(video);
    if (frames.isEmpty()) {
      throw new IOException(video + " holds no PNG or JPEG frames");
    }
    if (maxFrames > 0 && frames.size() > maxFrames) {
      frames = frames.subList(0, maxFrames);
    }
    BufferedImage first = read(frames.get(0));
    int h = first.getHeight(), w = first.getWidth();
    int[] out = crop.outputSize(h, w);
    int f = frames.size(), p = out[0] * out[1];
    byte[] rgb = new byte[f * p * 3];
    byte[] ids = new byte[f * p];
    Map<Integer, Integer> colourIds = new LinkedHashMap<>();
    JsonArray clevrer = source == MaskSource.CLEVRER_JSON ? clevrerFrames(findJson(masks, video)) : null;
    int objects = 0;
    for (int t = 0; t < f; t++) {
      BufferedImage img = t == 0 ? first : read(frames.get(t));
      if (img.getHeight() != h || img.getWidth() != w) {
        throw new IOException(frames.get(t) + " is " + img.getWidth() + "x" + img.getHeight() + ", the video's first frame " + w + "x" + h);
      }
      System.arraycopy(Resampling.frame(rgbBytes(img), h, w, crop), 0, rgb, t * p * 3, p * 3);
      byte[] frameIds = new byte[h * w];
      if (source == MaskSource.COLOUR_PNG) {
        Path maskFile = masks.resolve(video.getFileName()).resolve(frames.get(t).getFileName().toString().replaceAll("\\.jpe?g$", ".png"));
        if (video.equals(masks) || !Files.exists(maskFile)) {
          maskFile = masks.resolve(frames.get(t).getFileName());
        }
        BufferedImage m = read(maskFile);
        if (m.getHeight() != h || m.getWidth() != w) {
          throw new IOException(maskFile + " does not have the frame's size " + w + "x" + h);
        }
        for (int q = 0; q < h * w; q++) {
          int colour = m.getRGB(q % w, q / w) & 0xffffff;
          if (colour != 0) {
            Integer id = colourIds.get(colour);
            if (id == null) {
              id = colourIds.size() + 1;
              if (id > 255) {
                throw new IOException(masks + ": more than 255 object colours in one video");
              }
              colourIds.put(colour, id);
            }
            frameIds[q] = (byte) (int) id;
          }
        }
      } else if (source == MaskSource.CLEVRER_JSON) {
        objects = Math.max(objects, clevrerIds(clevrer, t, h, w, frameIds));
      }
      System.arraycopy(Resampling.ids(frameIds, h, w, crop), 0, ids, t * p, p);
    }
    if (source == MaskSource.COLOUR_PNG) {
      objects = colourIds.size();
    }
    return new ClipRecord(rgb, ids, f, out[0], out[1], 3, objects, "frames", 0);
  }

  /** Frame files of a folder, sorted by the number in the name. */
  static List<Path> frameFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(png|jpe?g)$"))
          .sorted(byNumberThenName())
          .toList();
    }
  }

  private static Comparator<Path> byNumberThenName() {
    return Comparator.<Path>comparingLong(p -> lastNumber(p.getFileName().toString())).thenComparing(p -> p.getFileName().toString());
  }

  private static long lastNumber(String name) {
    Matcher m = NUMBER.matcher(name);
    long v = Long.MAX_VALUE;
    while (m.find()) {
      try {
        v = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        v = Long.MAX_VALUE;
      }
    }
    return v;
  }

  private static BufferedImage read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException("missing image " + file);
    }
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is not a readable image (" + e.getMessage() + ")", e);
    }
    if (img == null) {
      throw new IOException(file + " is not a readable image");
    }
    return img;
  }

  private static byte[] rgbBytes(BufferedImage img) {
    int h = img.getHeight(), w = img.getWidth();
    byte[] out = new byte[h * w * 3];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        int v = img.getRGB(j, i);
        int p = (i * w + j) * 3;
        out[p] = (byte) (v >> 16);
        out[p + 1] = (byte) (v >> 8);
        out[p + 2] = (byte) v;
      }
    }
    return out;
  }

  private static Path findJson(Path masks, Path video) throws IOException {
    long number = lastNumber(video.getFileName().toString());
    try (Stream<Path> s = Files.list(masks)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> lastNumber(p.getFileName().toString()) == number)
          .findFirst()
          .orElseThrow(() -> new IOException("no mask JSON for video " + video.getFileName() + " in " + masks));
    }
  }

  private static JsonArray clevrerFrames(Path json) throws IOException {
    try {
      JsonElement root = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
      JsonArray frames = root.isJsonObject() && root.getAsJsonObject().has("frames")
          ? root.getAsJsonObject().getAsJsonArray("frames") : null;
      if (frames == null) {
        throw new IOException(json + ": no \"frames\" array (not a CLEVRER mask file?)");
      }
      return frames;
    } catch (JsonParseException | IllegalStateException e) {
      throw new IOException(json + ": malformed JSON (" + e.getMessage() + ")");
    }
  }

  /** Fills the ids of frame t from the CLEVRER masks; returns the number of objects. */
  private static int clevrerIds(JsonArray frames, int t, int h, int w, byte[] ids) throws IOException {
    JsonObject frame = null;
    for (JsonElement e : frames) {
      JsonObject o = e.getAsJsonObject();
      int index = o.has("frame_index") ? o.get("frame_index").getAsInt() : -1;
      if (index == t) {
        frame = o;
        break;
      }
    }
    if (frame == null) {
      if (t < frames.size()) {
        frame = frames.get(t).getAsJsonObject();
      } else {
        return 0;
      }
    }
    JsonArray objects = frame.has("objects") ? frame.getAsJsonArray("objects") : new JsonArray();
    for (int k = 0; k < objects.size(); k++) {
      JsonObject mask = objects.get(k).getAsJsonObject().getAsJsonObject("mask");
      JsonArray size = mask.getAsJsonArray("size");
      int mh = size.get(0).getAsInt(), mw = size.get(1).getAsInt();
      if (mh != h || mw != w) {
        throw new IOException("CLEVRER mask of " + mh + "x" + mw + " for a " + h + "x" + w + " frame " + t);
      }
      boolean[] m = CocoRle.decode(mask.get("counts").getAsString(), mh, mw);
      for (int q = 0; q < m.length; q++) {
        if (m[q]) {
          ids[q] = (byte) (k + 1);
        }
      }
    }
    return objects.size();
  }
}
