package dev.provide.graph;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** A checkpoint restored into an inference graph and session, ready to decompose. Close it. */
public final class LoadedModel implements AutoCloseable {
  static {
    dev.provide.ops.NativeLogLevel.apply(); // before TensorFlow's natives start: errors only, unless the user set a level
  }

  private final Graph graph;
  private final Session session;
  private final ModelConfig config;
  private final Checkpoints.Checkpoint checkpoint;
  private final VideoInference inference;

  private LoadedModel(Graph graph, Session session, ModelConfig config, Checkpoints.Checkpoint checkpoint, VideoInference inference) {
    this.graph = graph;
    this.session = session;
    this.config = config;
    this.checkpoint = checkpoint;
    this.inference = inference;
  }

  /** Loads a run folder (its newest checkpoint), a checkpoint folder or a shipped model folder. */
  public static LoadedModel open(Path runOrCheckpoint, boolean useGpu, int threads) throws IOException {
    return open(runOrCheckpoint, useGpu, threads, 0);
  }

  /**
   * Loads a model to run with {@code slots} slots instead of the K it was trained with (0 keeps
   * it). Every weight is shared by all slots (they fold into the batch axis), so the same
   * checkpoint runs with any K: the masks are a softmax over however many slots there are. The
   * IODINE paper tests with more slots than it trains with; docs/RESULTS.md measures what it does
   * here.
   *
   * @throws IllegalArgumentException if {@code slots} is neither 0 nor a valid K
   */
  public static LoadedModel open(Path runOrCheckpoint, boolean useGpu, int threads, int slots) throws IOException {
    return open(runOrCheckpoint, useGpu, threads, slots, Precision.FLOAT32);
  }

  /**
   * Loads a model to run in {@code precision} (bfloat16 mixed precision only where the CPU has it
   * natively, {@link Precision#require}).
   */
  public static LoadedModel open(Path runOrCheckpoint, boolean useGpu, int threads, int slots, Precision precision)
      throws IOException {
    boolean gpu = useGpu && Devices.gpuAvailable();
    precision.require(gpu);
    Checkpoints.Checkpoint cp = Checkpoints.resolve(runOrCheckpoint);
    ModelConfig config = cp.config().runningWith(slots);
    Graph g = new Graph();
    try {
      InferenceGraph ig = InferenceGraph.build(g, config);
      Session s = new Session(g, Devices.sessionConfig(gpu, threads, 0, precision == Precision.BFLOAT16, false));
      try {
        cp.restoreInto(s);
      } catch (IOException e) {
        s.close();
        throw e;
      } catch (RuntimeException e) {
        s.close();
        throw new IOException("cannot restore " + cp.dir() + " into a " + config.mode().label() + " model: " + e.getMessage(), e);
      }
      return new LoadedModel(g, s, config, cp, new VideoInference(s, ig));
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
  }

  /** The model's configuration, with the slot count it runs with. */
  public ModelConfig config() {
    return config;
  }

  /** Where it was loaded from ({@code checkpoint().config()} is the configuration it was trained with). */
  public Checkpoints.Checkpoint checkpoint() {
    return checkpoint;
  }

  /** Runs the model. */
  public VideoInference inference() {
    return inference;
  }

  /** The session holding the weights. */
  public Session session() {
    return session;
  }

  /** The graph. */
  public Graph graph() {
    return graph;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
