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
 * per video of numbered PNG (or JPEG) frames, sorted by the number in their names; and video
 * files (MP4 or QuickTime with H.264, such as CLEVRER's own videos), decoded by {@link VideoFile}. Ground truth,
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
   * Imports every video under {@code root}: {@code root} itself when it is a video file or a folder
   * of frames, else each video file ({@link VideoFile#EXTENSIONS}) and each folder of frames in it.
   *
   * @param masks the mask folder (null for none)
   * @param maxFrames at most this many frames per video (0 = all)
   */
  public static long importFolders(Path root, Path masks, MaskSource source, Crop crop, int maxFrames, long limit,
      Consumer<ClipRecord> sink) throws IOException {
    if (!Files.exists(root)) {
      throw new IOException(root + ": no such file or folder");
    }
    List<Path> videos = new ArrayList<>();
    if (VideoFile.isVideo(root) || Files.isDirectory(root) && !frameFiles(root).isEmpty()) {
      videos.add(root);
    } else if (Files.isDirectory(root)) {
      try (Stream<Path> s = Files.list(root)) {
        s.filter(p -> Files.isDirectory(p) || VideoFile.isVideo(p)).sorted(byNumberThenName()).forEach(videos::add);
      }
    } else {
      throw new IOException(root + " is neither a folder of videos nor a video file (" + String.join(", ", VideoFile.EXTENSIONS)
          + "); for another video format, " + VideoFile.extractHint(root));
    }
    if (videos.isEmpty()) {
      throw new IOException(root + " holds no video files (" + String.join(", ", VideoFile.EXTENSIONS)
          + ") and no folders of PNG or JPEG frames");
    }
    long n = 0;
    for (Path video : videos) {
      if (n >= limit) {
        break;
      }
      sink.accept(Files.isDirectory(video) ? importVideo(video, masks, source, crop, maxFrames)
          : importVideoFile(video, masks, source, crop, maxFrames));
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
    ClipBuilder clip = new ClipBuilder(crop, source == MaskSource.CLEVRER_JSON ? clevrerFrames(findJson(masks, video)) : null);
    Map<Integer, Integer> colourIds = new LinkedHashMap<>();
    for (int t = 0; t < frames.size(); t++) {
      BufferedImage img = read(frames.get(t));
      int h = img.getHeight(), w = img.getWidth();
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
      }
      clip.add(img, frameIds, frames.get(t).toString());
    }
    return clip.build(source == MaskSource.COLOUR_PNG ? colourIds.size() : clip.objects);
  }

  /** One video file, decoded frame by frame ({@link VideoFile}); ground truth from CLEVRER's mask JSON or none. */
  static ClipRecord importVideoFile(Path video, Path masks, MaskSource source, Crop crop, int maxFrames) throws IOException {
    if (source == MaskSource.COLOUR_PNG) {
      throw new IOException(video + ": colour-coded mask PNGs (--masks) go with folders of frames; for a video file give "
          + "--clevrer-masks or no masks");
    }
    ClipBuilder clip = new ClipBuilder(crop, source == MaskSource.CLEVRER_JSON ? clevrerFrames(findJson(masks, video)) : null);
    try (VideoFile file = VideoFile.open(video)) {
      BufferedImage img;
      while ((maxFrames <= 0 || file.framesRead() < maxFrames) && (img = file.next()) != null) {
        clip.add(img, new byte[img.getHeight() * img.getWidth()], video + " frame " + (file.framesRead() - 1));
      }
    }
    if (clip.frames() == 0) {
      throw new IOException(video + " holds no video frames");
    }
    return clip.build(clip.objects);
  }

  /**
   * Collects a video's frames as they are read: each cropped and resized at once, so that memory
   * holds the output clip, not the source frames.
   */
  private static final class ClipBuilder {
    private final Crop crop;
    private final JsonArray clevrer;
    private final java.io.ByteArrayOutputStream rgb = new java.io.ByteArrayOutputStream();
    private final java.io.ByteArrayOutputStream ids = new java.io.ByteArrayOutputStream();
    private int h = -1, w = -1, frames;
    private int[] out;
    int objects;

    ClipBuilder(Crop crop, JsonArray clevrer) {
      this.crop = crop;
      this.clevrer = clevrer;
    }

    /** Adds a frame; {@code frameIds} [H * W] is filled from CLEVRER's masks when those are the source. */
    void add(BufferedImage img, byte[] frameIds, String where) throws IOException {
      if (h < 0) {
        h = img.getHeight();
        w = img.getWidth();
        out = crop.outputSize(h, w);
      } else if (img.getHeight() != h || img.getWidth() != w) {
        throw new IOException(where + " is " + img.getWidth() + "x" + img.getHeight() + ", the video's first frame " + w + "x" + h);
      }
      if (clevrer != null) {
        objects = Math.max(objects, clevrerIds(clevrer, frames, h, w, frameIds));
      }
      rgb.writeBytes(Resampling.frame(rgbBytes(img), h, w, crop));
      ids.writeBytes(Resampling.ids(frameIds, h, w, crop));
      frames++;
    }

    int frames() {
      return frames;
    }

    ClipRecord build(int objectCount) {
      return new ClipRecord(rgb.toByteArray(), ids.toByteArray(), frames, out[0], out[1], 3, objectCount, "frames", 0);
    }
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

  /** The last number in a name, its extension aside ("video_10000.mp4" is 10000, not 4). */
  static long lastNumber(String name) {
    Matcher m = NUMBER.matcher(name.replaceFirst("\\.[A-Za-z][A-Za-z0-9]*$", ""));
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
