package dev.provide.export;

import dev.provide.graph.LoadedModel;
import dev.provide.graph.ModelConfig;
import dev.provide.graph.VideoInference;
import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint restored into the frame-by-frame inference graph. */
final class CheckpointBackend implements Backend {
  private final LoadedModel model;
  private final VideoInference inference;

  CheckpointBackend(Path checkpoint, int slots) throws IOException {
    this.model = LoadedModel.open(checkpoint, false, 0, slots);
    this.inference = model.inference();
  }

  @Override
  public ModelConfig config() {
    return model.config();
  }

  @Override
  public State initial(int batch) {
    return from(inference.initialState(batch));
  }

  @Override
  public Frame step(State state, float[] frame, int draw) {
    VideoInference.FrameResult r = inference.step(to(state), frame, ServingGraph.SEED + draw * VideoInference.DRAW_SEED_STRIDE, 1f);
    return new Frame(r.masks(), r.means(), r.reconstruction(), r.segmentation(), r.latents(), from(r.next()));
  }

  @Override
  public Frame predict(State state) {
    // The prior mean (noise 0); the seed is the inferred rollout's (MODEL.md 6c), as the SavedModel's.
    VideoInference.Clip c = inference.predict(to(state), 1, ServingGraph.SEED, 0f);
    return new Frame(c.masks(), c.means(), c.reconstruction(), c.segmentation(), new float[0], from(c.last()));
  }

  private static State from(VideoInference.State s) {
    return new State(s.h(), s.c(), s.lambda(), s.batch(), s.nextFrame());
  }

  private static VideoInference.State to(State s) {
    return new VideoInference.State(s.h(), s.c(), s.lambda(), s.batch(), s.nextFrame());
  }

  @Override
  public void close() {
    model.close();
  }
}
