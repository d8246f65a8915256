package dev.provide.export;

import dev.provide.graph.Checkpoints;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.VideoInference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;


/**
 * Decomposes video with a trained model, for JVM applications: masks, appearances, reconstruction,
 * segmentation and latent codes per frame and object; predictions of future frames; and an online
 * {@link Stream} that takes one frame at a time.
 *
 * <pre>{@code
 * try (VideoDecomposer model = VideoDecomposer.open(Path.of("testdata/model"))) {
 *   Decomposition d = model.decompose(frames, 10);      // frames: float[10 * H * W * 3] in [0, 1]
 *   int slot = d.segment(0, 12, 20);                     // which object covers pixel (12, 20) of frame 0
 *   Decomposition future = model.predict(frames, 10, 5); // the next 5 frames
 * }
 * }</pre>
 *
 * <p>Opens a run folder (its newest checkpoint), a checkpoint or shipped model folder, a SavedModel
 * written by {@code provide export}, or a TensorFlow Serving base folder (its highest version).
 * Both forms give the same results: frame t uses the noise seed (1, (t + 1) * 1000).
 *
 * <p>Thread-safe: calls may run concurrently (TensorFlow sessions are); each call and each
 * {@link Stream} keeps its own state. Inputs are checked at the door: a wrong length or a value
 * outside [0, 1] is an {@link IllegalArgumentException}, never a crash.
 */
public final class VideoDecomposer implements AutoCloseable {
  static {
    dev.provide.ops.NativeLogLevel.apply(); // before TensorFlow's natives start: errors only, unless the user set a level
  }

  private final Backend backend;
  private final ModelConfig config;
  private final String source;

  private VideoDecomposer(Backend backend, String source) {
    this.backend = backend;
    this.config = backend.config();
    this.source = source;
  }

  /** Opens a model; see the class comment for what {@code path} may be. */
  public static VideoDecomposer open(Path path) throws IOException {
    return open(path, 0);
  }

  /**
   * Opens a model to run with {@code slots} slots (0: as it was trained, or as it was exported).
   * A checkpoint runs with any K (the weights are shared by all slots); a SavedModel's K was fixed
   * by {@code provide export --slots}, and asking for another is an {@link IllegalArgumentException}.
   */
  public static VideoDecomposer open(Path path, int slots) throws IOException {
    ModelConfig.requireSlotRequest(slots);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such model");
    }
    Optional<Path> saved = Files.exists(path.resolve("saved_model.pb")) ? Optional.of(path) : highestVersion(path);
    if (saved.isPresent()) {
      SavedModelBackend backend = new SavedModelBackend(saved.get());
      int exported = backend.config().slots();
      if (slots != 0 && slots != exported) {
        backend.close();
        throw new IllegalArgumentException(saved.get() + " was exported with " + exported + " slots; export it again with --slots "
            + slots + " (a SavedModel's slot count is fixed)");
      }
      return new VideoDecomposer(backend, "SavedModel " + saved.get());
    }
    Checkpoints.Checkpoint c = Checkpoints.resolve(path);
    return new VideoDecomposer(new CheckpointBackend(c.dir(), slots), "checkpoint " + c.dir());
  }

  private static Optional<Path> highestVersion(Path base) throws IOException {
    if (!Files.isDirectory(base)) {
      return Optional.empty();
    }
    try (java.util.stream.Stream<Path> s = Files.list(base)) {
      return s.filter(p -> p.getFileName().toString().matches("\\d+") && Files.exists(p.resolve("saved_model.pb")))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())));
    }
  }

  /** The model's configuration (image size, slots, latent size...). */
  public ModelConfig config() {
    return config;
  }

  /** Where the model was loaded from. */
  public String source() {
    return source;
  }

  /**
   * Decomposes a video.
   *
   * @param frames [F, H, W, 3] floats in [0, 1], H = W = {@link ModelConfig#imageSize()}
   * @param count F
   */
  public Decomposition decompose(float[] frames, int count) {
    checkVideo(frames, count);
    Stream stream = stream();
    int p = frameValues();
    Collector out = new Collector(count, true);
    for (int t = 0; t < count; t++) {
      out.add(t, stream.next(java.util.Arrays.copyOfRange(frames, t * p, (t + 1) * p)));
    }
    return out.result();
  }

  /**
   * Decomposes a video stored as bytes, as in our TFRecord clips ({@code ClipRecord.frames()}):
   * uint8, [F, H, W, C] with C = 1 (greyscale, repeated to RGB) or 3.
   */
  public Decomposition decompose(byte[] frames, int count, int channels) {
    return decompose(toFloats(frames, count, channels), count);
  }

  /**
   * Observes a video and predicts the next {@code future} frames (MODEL.md section 6).
   *
   * @param frames [F, H, W, 3] in [0, 1]
   * @return the predicted frames' decomposition (latents empty)
   */
  public Decomposition predict(float[] frames, int count, int future) {
    return predict(frames, count, future, 1);
  }

  /**
   * Observes a video and predicts the next {@code future} frames from the state averaged over
   * {@code observeDraws} inferences of the observed frames (MODEL.md section 6f), as {@code
   * provide predict --observe-draws} does with its default seed: the draws share the first
   * min(3, F - 1) frames and infer the others with their own noise. 1 rolls out from the one
   * inference's state, as {@link #predict(float[], int, int)}. Costs {@code observeDraws} more
   * inferences of the frames after the shared ones; a SavedModel needs the {@code step_draw}
   * signature (exports since it was added).
   *
   * @param frames [F, H, W, 3] in [0, 1]
   * @return the predicted frames' decomposition (latents empty)
   */
  public Decomposition predict(float[] frames, int count, int future, int observeDraws) {
    checkVideo(frames, count);
    if (future < 1) {
      throw new IllegalArgumentException("future must be >= 1, got " + future);
    }
    if (observeDraws < 1) {
      throw new IllegalArgumentException("observeDraws must be >= 1, got " + observeDraws);
    }
    int shared = observeDraws == 1 ? count : VideoInference.sharedFrames(count);
    Backend.State state = observe(backend.initial(1), frames, 0, shared, 0);
    if (shared < count) {
      Backend.State afterShared = state;
      float[] h = new float[state.h().length], c = new float[state.c().length], lambda = new float[state.lambda().length];
      for (int i = 1; i <= observeDraws; i++) {
        Backend.State drawn = observe(afterShared, frames, shared, count, i);
        VideoInference.accumulate(h, drawn.h(), observeDraws);
        VideoInference.accumulate(c, drawn.c(), observeDraws);
        VideoInference.accumulate(lambda, drawn.lambda(), observeDraws);
      }
      state = new Backend.State(h, c, lambda, 1, count);
    }
    Collector out = new Collector(future, false);
    for (int t = 0; t < future; t++) {
      Backend.Frame f = backend.predict(state);
      state = f.next();
      out.add(t, single(f, false));
    }
    return out.result();
  }

  /** The state after frames {@code from} .. {@code to - 1} of {@code frames}, inferred with the noise of draw {@code draw}. */
  private Backend.State observe(Backend.State state, float[] frames, int from, int to, int draw) {
    int p = frameValues();
    for (int t = from; t < to; t++) {
      state = backend.step(state, java.util.Arrays.copyOfRange(frames, t * p, (t + 1) * p), draw).next();
    }
    return state;
  }

  /** A new online decomposition: feed frames one at a time. */
  public Stream stream() {
    return new Stream(backend.initial(1));
  }

  /** An online decomposition of one video: keeps the state carried from frame to frame. */
  public final class Stream {
    private Backend.State state;

    private Stream(Backend.State state) {
      this.state = state;
    }

    /** Decomposes the next frame [H, W, 3] in [0, 1]. */
    public Decomposition next(float[] frame) {
      checkVideo(frame, 1);
      Backend.Frame f = backend.step(state, frame);
      state = f.next();
      return single(f, true);
    }

    /** Predicts the next frame from what was seen so far (and predicted), without input. */
    public Decomposition predictNext() {
      Backend.Frame f = backend.predict(state);
      state = f.next();
      return single(f, false);
    }

    /** Frames seen or predicted so far. */
    public long position() {
      return state.nextFrame();
    }
  }

  private Decomposition single(Backend.Frame f, boolean withLatents) {
    int s = config.imageSize();
    return new Decomposition(1, config.slots(), s, s, withLatents ? config.latentSize() : 0,
        f.masks(), f.means(), f.reconstruction(), f.segmentation(), withLatents ? f.latents() : new float[0]);
  }

  /** Gathers single-frame decompositions into one. */
  private final class Collector {
    final int frames;
    final boolean latents;
    final float[] masks, means, recon, lat;
    final int[] seg;

    Collector(int frames, boolean latents) {
      int s = config.imageSize(), k = config.slots(), p = s * s;
      // masks, means, reconstruction, segmentation and latents, 4 bytes a value
      long values = (long) frames * ((long) k * p * 4 + 4L * p + (latents ? (long) k * config.latentSize() : 0));
      long free = Runtime.getRuntime().maxMemory() - (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
      if ((long) frames * k * p * 3 > Integer.MAX_VALUE - 8 || 4 * values > free / 2) {
        throw new IllegalArgumentException(String.format(
            "%d frames of output need %.1f GB, more than this JVM can hold (%.1f GB free of -Xmx %.1f GB): ask for fewer frames",
            frames, 4 * values / 1e9, free / 1e9, Runtime.getRuntime().maxMemory() / 1e9));
      }
      this.frames = frames;
      this.latents = latents;
      masks = new float[frames * k * p];
      means = new float[frames * k * p * 3];
      recon = new float[frames * p * 3];
      seg = new int[frames * p];
      lat = new float[latents ? frames * k * config.latentSize() : 0];
    }

    void add(int t, Decomposition d) {
      System.arraycopy(d.masks(), 0, masks, t * d.masks().length, d.masks().length);
      System.arraycopy(d.means(), 0, means, t * d.means().length, d.means().length);
      System.arraycopy(d.reconstruction(), 0, recon, t * d.reconstruction().length, d.reconstruction().length);
      System.arraycopy(d.segmentation(), 0, seg, t * d.segmentation().length, d.segmentation().length);
      if (latents) {
        System.arraycopy(d.latents(), 0, lat, t * d.latents().length, d.latents().length);
      }
    }

    Decomposition result() {
      int s = config.imageSize();
      return new Decomposition(frames, config.slots(), s, s, latents ? config.latentSize() : 0, masks, means, recon, seg, lat);
    }
  }

  private int frameValues() {
    return config.imageSize() * config.imageSize() * 3;
  }

  private void checkVideo(float[] frames, int count) {
    if (frames == null) {
      throw new IllegalArgumentException("frames must not be null");
    }
    int s = config.imageSize();
    if (count < 1 || frames.length != (long) count * frameValues()) {
      throw new IllegalArgumentException("expected " + count + " frames of " + s + "x" + s + "x3 = " + (long) count * frameValues()
          + " floats, got " + frames.length + " (this model takes " + s + "x" + s + " RGB frames)");
    }
    for (int i = 0; i < frames.length; i++) {
      float v = frames[i];
      if (!(v >= 0f && v <= 1f)) {
        throw new IllegalArgumentException("frame values must be in [0, 1]; value " + i + " is " + v);
      }
    }
  }

  private float[] toFloats(byte[] frames, int count, int channels) {
    if (frames == null) {
      throw new IllegalArgumentException("frames must not be null");
    }
    int s = config.imageSize(), p = s * s;
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (count < 1 || frames.length != (long) count * p * channels) {
      throw new IllegalArgumentException("expected " + count + " frames of " + s + "x" + s + "x" + channels + " bytes, got " + frames.length);
    }
    float[] out = new float[count * p * 3];
    for (int q = 0; q < count * p; q++) {
      for (int c = 0; c < 3; c++) {
        out[q * 3 + c] = (frames[q * channels + (channels == 3 ? c : 0)] & 0xff) / 255f;
      }
    }
    return out;
  }

  @Override
  public void close() {
    backend.close();
  }
}
