package dev.provide.train.data.importers;

import dev.provide.ops.ErrorMessages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import org.jcodec.api.FrameGrab;
import org.jcodec.api.PictureWithMetadata;
import org.jcodec.api.JCodecException;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.scale.AWTUtil;

/**
 * Reads the frames of a video file (MP4 or QuickTime with H.264, as phones, cameras and
 * CLEVRER's videos are stored) one at a time with JCodec, a pure-Java decoder: no ffmpeg or other
 * native tool is needed. What JCodec cannot decode is reported with the file's name and how to
 * extract its frames instead.
 *
 * <p>JCodec hands frames over in decoding order, which differs from display order wherever the
 * stream has B-frames (x264's default): measured on an ffmpeg-made MP4, frames came as 0, 2, 1,
 * 4, 3. This reader puts them back in display order by their presentation time stamps, holding
 * up to {@value #REORDER_DEPTH} decoded frames.
 *
 * <p>JCodec's H.264 decoder can loop forever on a damaged stream (fuzzing found it spinning in
 * its CABAC reader). Frames are therefore decoded on a worker thread of this reader, and a frame
 * that takes longer than the frame timeout ({@link #FRAME_TIMEOUT} by default; a frame takes
 * milliseconds) fails with a one-line error. The stuck worker is stopped where the JVM allows it
 * (up to Java 19) and is a daemon thread otherwise.
 */
public final class VideoFile implements AutoCloseable {
  /** File name endings read as videos. */
  public static final Set<String> EXTENSIONS = Set.of("mp4", "m4v", "mov");

  /** How to get the frames out of a video this reader cannot decode. */
  static String extractHint(Path video) {
    return "extract its frames to a folder of PNGs instead (for example: ffmpeg -i " + video + " DIR/%05d.png) and import the folder";
  }

  /** Decoded frames held to restore display order; far more than H.264's reordering depth (at most 16 frames). */
  static final int REORDER_DEPTH = 17;

  /** The longest one frame may take to decode before the stream is taken to be damaged. */
  public static final java.time.Duration FRAME_TIMEOUT = java.time.Duration.ofSeconds(30);

  private record Decoded(double timestamp, long order, BufferedImage image) {}

  private final java.time.Duration frameTimeout;
  private final java.util.concurrent.ExecutorService worker;
  private volatile Thread workerThread;

  private final Path file;
  private final SeekableByteChannel channel;
  private final FrameGrab grab;
  private final PriorityQueue<Decoded> pending =
      new PriorityQueue<>(Comparator.comparingDouble(Decoded::timestamp).thenComparingLong(Decoded::order));
  private boolean ended;
  private long decoded;
  private int read;

  static {
    // JCodec prints its own complaints ("[ERROR] Broken atom of size 0") to stdout before it fails;
    // this reader reports each failure itself, in one line with the file's name. Its messages go
    // to java.util.logging at FINE instead (logger "org.jcodec"), hidden unless asked for.
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("org.jcodec");
    org.jcodec.common.logging.Logger.addSink(m -> jul.fine(() -> m.getLevel() + " " + m.getMessage()));
  }

  private VideoFile(Path file, SeekableByteChannel channel, FrameGrab grab, java.time.Duration frameTimeout) {
    this.frameTimeout = frameTimeout;
    this.worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "video-decoder " + file.getFileName());
      t.setDaemon(true);
      workerThread = t;
      return t;
    });
    this.file = file;
    this.channel = channel;
    this.grab = grab;
  }

  /** Whether {@code p} is a regular file whose name ends like a video ({@link #EXTENSIONS}). */
  public static boolean isVideo(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot >= 0 && EXTENSIONS.contains(name.substring(dot + 1)) && Files.isRegularFile(p);
  }

  /**
   * Opens a video.
   *
   * @throws IOException naming the file when it is missing or not a video JCodec can decode
   */
  public static VideoFile open(Path file) throws IOException {
    return open(file, FRAME_TIMEOUT);
  }

  /** Opens a video whose frames must each decode within {@code frameTimeout}. */
  public static VideoFile open(Path file, java.time.Duration frameTimeout) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such video file");
    }
    try {
      Mp4Boxes.check(file);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "; " + extractHint(file), e);
    }
    SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile());
    try {
      return new VideoFile(file, channel, FrameGrab.createFrameGrab(channel), frameTimeout);
    } catch (IOException | JCodecException | RuntimeException e) {
      channel.close();
      throw unreadable(file, e);
    }
  }

  /** The next frame in display order as an RGB image, or null after the last. */
  public BufferedImage next() throws IOException {
    while (!ended && pending.size() < REORDER_DEPTH) {
      PictureWithMetadata picture = decodeNext();
      if (picture == null) {
        ended = true;
        break;
      }
      BufferedImage image;
      try {
        image = AWTUtil.toBufferedImage(picture.getPicture());
      } catch (RuntimeException e) {
        throw new IOException(file + ": frame " + decoded + " has a picture format that cannot be converted to RGB ("
            + ErrorMessages.firstLine(e) + "); " + extractHint(file), e);
      }
      pending.add(new Decoded(picture.getTimestamp(), decoded++, image));
    }
    Decoded first = pending.poll();
    if (first == null) {
      return null;
    }
    read++;
    return first.image();
  }

  /** The next frame in decoding order from the worker, within the frame timeout. */
  private PictureWithMetadata decodeNext() throws IOException {
    java.util.concurrent.Future<PictureWithMetadata> f = worker.submit(grab::getNativeFrameWithMetadata);
    try {
      return f.get(frameTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      f.cancel(true);
      stopWorker();
      throw new IOException(file + ": frame " + decoded + " (in decoding order) did not decode within " + frameTimeout.toSeconds()
          + " s (a damaged stream); " + extractHint(file), e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException(file + ": frame " + decoded + " (in decoding order) cannot be decoded (" + ErrorMessages.firstLine(cause)
          + "); " + extractHint(file), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(file + ": interrupted while decoding");
    }
  }

  /** Stops a worker stuck in the decoder: its objects are this reader's alone, and nothing else uses them after. */
  @SuppressWarnings({"deprecation", "removal"})
  private void stopWorker() {
    worker.shutdownNow();
    Thread t = workerThread;
    if (t != null && t.isAlive()) {
      try {
        t.stop();
      } catch (UnsupportedOperationException notOnThisJvm) {
        // Java 20 and later: the daemon thread is left to spin until the JVM exits.
      }
    }
  }

  /** Frames returned so far. */
  public int framesRead() {
    return read;
  }

  @Override
  public void close() throws IOException {
    worker.shutdownNow();
    channel.close();
  }

  private static IOException unreadable(Path file, Exception e) {
    return new IOException(file + " is not a video this reader can decode (" + ErrorMessages.firstLine(e) + "; MP4 or QuickTime with "
        + "H.264 are supported); " + extractHint(file), e);
  }
}
