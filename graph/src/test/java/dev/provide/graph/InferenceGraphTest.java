package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.MixtureLikelihood;
import dev.provide.ops.Tensors;
import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class InferenceGraphTest {
  private static final int B = 2, F = 3;

  /** Builds a fresh inference graph and session (weights from the configuration's seed) and applies {@code f}. */
  static <T> T withInference(ModelConfig c, Function<VideoInference, T> f) {
    try (Graph g = new Graph()) {
      InferenceGraph ig = InferenceGraph.build(g, c);
      try (Session s = new Session(g)) {
        s.initialize();
        return f.apply(new VideoInference(s, ig));
      }
    }
  }

  @Test
  void outputShapesAndMasksSumToOne() {
    ModelConfig c = TrainingGraphTest.tiny();
    int s = c.imageSize(), k = c.slots(), d = c.latentSize(), p = s * s;
    VideoInference.Clip clip =
        withInference(c, v -> v.decompose(TrainingGraphTest.video(B, F, s, 1), B, F, 7, 1f));
    assertEquals(B * F * k * p, clip.masks().length);
    assertEquals(B * F * k * p * 3, clip.means().length);
    assertEquals(B * F * p * 3, clip.reconstruction().length);
    assertEquals(B * F * p, clip.segmentation().length);
    assertEquals(B * F * k * d, clip.latents().length);
    for (int bf = 0; bf < B * F; bf++) {
      for (int q = 0; q < p; q++) {
        double sum = 0;
        int arg = 0;
        for (int slot = 0; slot < k; slot++) {
          float m = clip.masks()[(bf * k + slot) * p + q];
          sum += m;
          if (m > clip.masks()[(bf * k + arg) * p + q]) {
            arg = slot;
          }
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(arg, clip.segmentation()[bf * p + q]);
      }
    }
    VideoInference.Clip future = withInference(c, v -> v.predict(v.initialState(B), 2));
    assertEquals(B * 2 * p * 3, future.reconstruction().length);
    for (float x : future.reconstruction()) {
      assertTrue(Float.isFinite(x) && x >= 0 && x <= 1);
    }
  }

  @Test
  void aSampledRolloutIsSeededAndGoesToTheMeanRolloutAsItsNoiseShrinks() {
    ModelConfig c = TrainingGraphTest.tiny();
    float[] video = TrainingGraphTest.video(B, F, c.imageSize(), 5);
    float[][] r = withInference(c, v -> {
      VideoInference.State seen = v.decompose(video, B, F, 3, 1f).last();
      return new float[][] {
        v.predict(seen, 2).reconstruction(),
        v.predict(seen, 2, 9, 0f).reconstruction(),
        v.predict(seen, 2, 9, 1f).reconstruction(),
        v.predict(seen, 2, 9, 1f).reconstruction(),
        v.predict(seen, 2, 10, 1f).reconstruction(),
        v.predict(seen, 2, 9, 1e-4f).reconstruction()
      };
    });
    assertArrayEquals(r[0], r[1], "noise scale 0 is the prior mean, bit for bit");
    assertArrayEquals(r[2], r[3], "one seed, one draw");
    assertFalse(Arrays.equals(r[2], r[4]), "another seed, another draw");
    assertTrue(SessionOptionsTest.maxDifference(r[0], r[2]) > 1e-3, "a draw from the prior is not its mean");
    assertTrue(SessionOptionsTest.maxDifference(r[0], r[5]) < 1e-3 * SessionOptionsTest.maxDifference(r[0], r[2]) + 1e-6, "the draw goes to the mean with its noise");
  }

  @Test
  void aSharperFeedbackChangesOnlyTheFramesAfterTheFirstPredictedOne() {
    ModelConfig c = TrainingGraphTest.tiny();
    int p3 = c.imageSize() * c.imageSize() * 3;
    float[] video = TrainingGraphTest.video(B, F, c.imageSize(), 6);
    VideoInference.Clip[] r = withInference(c, v -> {
      VideoInference.State seen = v.decompose(video, B, F, 3, 1f).last();
      return new VideoInference.Clip[] {v.predict(seen, 2), v.predict(seen, 2, 9, 0f, 1f), v.predict(seen, 2, 9, 0f, 4f)};
    });
    assertArrayEquals(r[0].reconstruction(), r[1].reconstruction(), "sharpness 1 feeds back the predicted frame itself");
    assertArrayEquals(r[0].masks(), r[1].masks());
    for (int b = 0; b < B; b++) {
      int first = b * 2 * p3, second = first + p3;
      assertArrayEquals(Arrays.copyOfRange(r[0].reconstruction(), first, second), Arrays.copyOfRange(r[2].reconstruction(), first, second),
          "the first predicted frame comes before anything is fed back");
      assertTrue(SessionOptionsTest.maxDifference(Arrays.copyOfRange(r[0].reconstruction(), second, second + p3),
          Arrays.copyOfRange(r[2].reconstruction(), second, second + p3)) > 1e-6, "the second one sees the sharper frame");
    }
    assertThrows(IllegalArgumentException.class, () -> withInference(c, v -> v.predict(v.initialState(B), 1, 1, 0f, 0f)));
  }

  @Test
  void frameByFrameInferenceEqualsTheUnrolledTrainingGraph() {
    ModelConfig c = TrainingGraphTest.tiny();
    int s = c.imageSize();
    float[] video = TrainingGraphTest.video(B, F, s, 4);
    VideoInference.Clip clip = withInference(c, v -> v.decompose(video, B, F, 11, 1f));
    try (Graph g = new Graph()) {
      // Inference draws one noise for every video of a batch; the training graph, given the same
      // noise source, computes the same frames.
      TrainingGraph t = TrainingGraph.build(g, c, F, null, Unroller.Noise.sameForEveryVideo(c.slots()));
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(video, B, F, s, s, 3);
          TInt64 seed = TInt64.vectorOf(11, 0)) {
        sess.initialize();
        try (Result r = sess.runner().feed(t.video, x).feed(t.seed, seed).fetch(t.masks).fetch(t.reconstruction).run()) {
          assertClose(Tensors.toFloats((TFloat32) r.get(0)), clip.masks(), 1e-5);
          assertClose(Tensors.toFloats((TFloat32) r.get(1)), clip.reconstruction(), 1e-5);
        }
      }
    }
  }

  @Test
  void temporalPartsSwitchedOffComputeExactlyWhatIodineComputes() {
    ModelConfig iodine = TrainingGraphTest.tiny().withMode(Mode.IODINE);
    ModelConfig provideOff =
        TrainingGraphTest.tiny()
            .withTemporal(new ModelConfig.Temporal(false, false, false, false, false))
            .withRefinement(iodine.refinement());
    assertEquals(Mode.PROVIDE, provideOff.mode());
    float[] video = TrainingGraphTest.video(B, F, iodine.imageSize(), 5);
    VideoInference.Clip a = withInference(iodine, v -> v.decompose(video, B, F, 3, 1f));
    VideoInference.Clip b = withInference(provideOff, v -> v.decompose(video, B, F, 3, 1f));
    assertArrayEquals(a.masks(), b.masks());
    assertArrayEquals(a.reconstruction(), b.reconstruction());
    assertArrayEquals(a.latents(), b.latents());
    // ... and the temporal model itself differs (it conditions on the previous frames).
    VideoInference.Clip full = withInference(TrainingGraphTest.tiny(), v -> v.decompose(video, B, F, 3, 1f));
    assertFalse(Arrays.equals(a.masks(), full.masks()));
  }

  @Test
  void sameSeedSameResultOtherSeedOtherResult() {
    ModelConfig c = TrainingGraphTest.tiny();
    float[] video = TrainingGraphTest.video(B, F, c.imageSize(), 6);
    VideoInference.Clip a = withInference(c, v -> v.decompose(video, B, F, 1, 1f));
    VideoInference.Clip b = withInference(c, v -> v.decompose(video, B, F, 1, 1f));
    VideoInference.Clip other = withInference(c, v -> v.decompose(video, B, F, 2, 1f));
    VideoInference.Clip mean1 = withInference(c, v -> v.decompose(video, B, F, 1, 0f));
    VideoInference.Clip mean2 = withInference(c, v -> v.decompose(video, B, F, 2, 0f));
    assertArrayEquals(a.masks(), b.masks());
    assertFalse(Arrays.equals(a.masks(), other.masks()));
    assertArrayEquals(mean1.masks(), mean2.masks(), "noise scale 0 decodes the posterior mean: no seed dependence");
  }

  @Test
  void aSequenceDecomposesTheSameAloneAsInABatch() {
    // Nothing in the graph may mix the sequences of a batch, and the sampling noise is a function
    // of the seed alone, not of the row: a served result can be reproduced with the video alone.
    ModelConfig c = TrainingGraphTest.tiny();
    int frame = c.imageSize() * c.imageSize() * 3, perExample = F * c.slots() * c.imageSize() * c.imageSize();
    float[] video = TrainingGraphTest.video(B, F, c.imageSize(), 8);
    VideoInference.Clip batched = withInference(c, v -> v.decompose(video, B, F, 1, 1f));
    for (int b = 0; b < B; b++) {
      float[] one = Arrays.copyOfRange(video, b * F * frame, (b + 1) * F * frame);
      VideoInference.Clip alone = withInference(c, v -> v.decompose(one, 1, F, 1, 1f));
      assertClose(alone.masks(), Arrays.copyOfRange(batched.masks(), b * perExample, (b + 1) * perExample), 1e-5);
    }
  }

  @Test
  void logLikelihoodIsTheMixtureDensityOfTheFrame() {
    ModelConfig c = TrainingGraphTest.tiny();
    for (MixtureLikelihood.Form form : MixtureLikelihood.Form.values()) {
      logLikelihoodIsTheMixtureDensity(c.withLikelihood(c.sigma(), form).withBackgroundSigma(0));
    }
  }

  @Test
  void backgroundSlotHasItsOwnSigmaAndLambda0() {
    ModelConfig c = TrainingGraphTest.tiny();
    ModelConfig background = c.withBackgroundSigma(c.sigma() * 0.7);
    // log p(x) with slot 0's smaller sigma, recomputed in doubles
    for (MixtureLikelihood.Form form : MixtureLikelihood.Form.values()) {
      logLikelihoodIsTheMixtureDensity(background.withLikelihood(c.sigma(), form));
    }
    // slot 0 starts from its own lambda_0, every other slot from the shared one
    VideoInference.State state = withInference(background, v -> v.initialState(2));
    int k = background.slots(), d2 = 2 * background.latentSize();
    float[] lambda = state.lambda();
    for (int b = 0; b < 2; b++) {
      for (int slot = 2; slot < k; slot++) {
        assertArrayEquals(
            Arrays.copyOfRange(lambda, (b * k + 1) * d2, (b * k + 2) * d2),
            Arrays.copyOfRange(lambda, (b * k + slot) * d2, (b * k + slot + 1) * d2));
      }
      assertFalse(Arrays.equals(
          Arrays.copyOfRange(lambda, b * k * d2, (b * k + 1) * d2),
          Arrays.copyOfRange(lambda, (b * k + 1) * d2, (b * k + 2) * d2)), "slot 0 starts from its own lambda_0");
    }
  }

  private void logLikelihoodIsTheMixtureDensity(ModelConfig c) {
    // log p(x) = sum_pixels log sum_k m_k prod_c N(x_c; mu_kc, sigma_k^2) (joint form), or
    // sum_pixels sum_c log sum_k m_k N(x_c; mu_kc, sigma_k^2) (per channel), recomputed in doubles
    boolean joint = c.likelihood() == MixtureLikelihood.Form.JOINT;
    int s = c.imageSize(), k = c.slots(), p = s * s;
    float[] video = TrainingGraphTest.video(B, F, s, 9);
    VideoInference.Clip clip = withInference(c, v -> v.decompose(video, B, F, 4, 1f));
    double[] sigmas = c.slotSigmas();
    for (int bf = 0; bf < B * F; bf++) {
      double expected = 0;
      for (int q = 0; q < p; q++) {
        double mixture = 0;
        double[] perChannel = new double[3];
        for (int slot = 0; slot < k; slot++) {
          double logDensity = 0;
          for (int ch = 0; ch < 3; ch++) {
            double diff = video[(bf * p + q) * 3 + ch] - clip.means()[((bf * k + slot) * p + q) * 3 + ch];
            double sigma = sigmas[slot];
            double channel = -0.5 * diff * diff / (sigma * sigma) - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI);
            logDensity += channel;
            perChannel[ch] += clip.masks()[(bf * k + slot) * p + q] * Math.exp(channel);
          }
          mixture += clip.masks()[(bf * k + slot) * p + q] * Math.exp(logDensity);
        }
        expected += joint ? Math.log(mixture) : Math.log(perChannel[0]) + Math.log(perChannel[1]) + Math.log(perChannel[2]);
      }
      assertEquals(expected, clip.logLikelihood()[bf], 1e-3 * Math.abs(expected) + 1e-2, "frame " + bf);
    }
  }

  @Test
  void restartsKeepTheMostLikelyStartOfEachSequence() {
    ModelConfig c = TrainingGraphTest.tiny();
    int s = c.imageSize(), k = c.slots(), p = s * s, head = 2, count = 3;
    long noiseSeed = 7; // one where another start wins for some sequence (checked below)
    float[] video = TrainingGraphTest.video(B, F, s, 10);
    VideoInference.Clip plain = withInference(c, v -> v.decompose(video, B, F, noiseSeed, 1f));
    VideoInference.Clip none = withInference(c, v -> v.decompose(video, B, F, noiseSeed, 1f, Restarts.NONE));
    assertArrayEquals(plain.masks(), none.masks(), "one start is the plain decomposition");

    VideoInference.Clip restarted = withInference(c, v -> v.decompose(video, B, F, noiseSeed, 1f, new Restarts(count, head)));
    assertEquals(B * F * k * p, restarted.masks().length);
    assertEquals(B * F, restarted.logLikelihood().length);
    // Each start alone over the first `head` frames; the restarted clip must hold, per sequence,
    // the start with the highest summed log-likelihood.
    int frame = s * s * 3;
    float[] first = new float[B * head * frame];
    for (int b = 0; b < B; b++) {
      System.arraycopy(video, b * F * frame, first, b * head * frame, head * frame);
    }
    VideoInference.Clip[] starts = new VideoInference.Clip[count];
    for (int r = 0; r < count; r++) {
      long seed = Restarts.seed(noiseSeed, r);
      starts[r] = withInference(c, v -> v.decompose(first, B, head, seed, 1f));
    }
    boolean anyChanged = false;
    for (int b = 0; b < B; b++) {
      int best = 0;
      for (int r = 1; r < count; r++) {
        if (starts[r].totalLogLikelihood()[b] > starts[best].totalLogLikelihood()[b]) {
          best = r;
        }
      }
      anyChanged |= best != 0;
      for (int t = 0; t < head; t++) {
        int per = k * p;
        assertClose(Arrays.copyOfRange(starts[best].masks(), (b * head + t) * per, (b * head + t + 1) * per),
            Arrays.copyOfRange(restarted.masks(), (b * F + t) * per, (b * F + t + 1) * per), 1e-6);
      }
    }
    assertTrue(anyChanged, "no sequence took another start: the test would not see restarts ignored");
  }

  @Test
  void restartsRejectBadCounts() {
    assertThrows(IllegalArgumentException.class, () -> new Restarts(0, 3));
    assertThrows(IllegalArgumentException.class, () -> new Restarts(2, 0));
  }

  @Test
  void badShapesAreClearErrors() {
    ModelConfig c = TrainingGraphTest.tiny();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withInference(c, v -> v.decompose(new float[10], 1, 1, 1, 1f)));
    assertTrue(e.getMessage().contains("video must be"), e.getMessage());
    IllegalArgumentException restarted = assertThrows(IllegalArgumentException.class,
        () -> withInference(c, v -> v.decompose(new float[10], 1, 3, 1, 1f, new Restarts(2, 2))));
    assertTrue(restarted.getMessage().contains("video must be"), restarted.getMessage());
  }

  private static void assertClose(float[] expected, float[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, "entry " + i);
    }
  }

  @Test
  void theAveragedStateIsTheMeanOfTheDrawsThatShareTheFirstFrames() {
    // MODEL.md 6f, composed here from decompose and run: the first SHARED_FRAMES frames once, the
    // rest once per draw with its own seed, and h, c, lambda averaged.
    ModelConfig c = TrainingGraphTest.tiny();
    int b = 2, f = 5, s = c.imageSize(), shared = VideoInference.SHARED_FRAMES, frame = s * s * 3;
    float[] video = TrainingGraphTest.video(b, f, s, 41);
    float[] head = new float[b * shared * frame], rest = new float[b * (f - shared) * frame];
    for (int i = 0; i < b; i++) {
      System.arraycopy(video, i * f * frame, head, i * shared * frame, shared * frame);
      System.arraycopy(video, (i * f + shared) * frame, rest, i * (f - shared) * frame, (f - shared) * frame);
    }
    long seed = 17;
    withInference(c, v -> {
      VideoInference.State start = v.decompose(head, b, shared, seed, 1f).last();
      VideoInference.State one = v.run(start, rest, b, f - shared, seed + VideoInference.DRAW_SEED_STRIDE, 1f).last();
      VideoInference.State two = v.run(start, rest, b, f - shared, seed + 2 * VideoInference.DRAW_SEED_STRIDE, 1f).last();
      VideoInference.State averaged = v.averagedState(video, b, f, seed, 1f, 2);
      assertEquals(one.nextFrame(), averaged.nextFrame());
      double apart = 0;
      for (int i = 0; i < one.h().length; i++) {
        assertEquals((one.h()[i] + two.h()[i]) / 2, averaged.h()[i], 1e-5);
        assertEquals((one.c()[i] + two.c()[i]) / 2, averaged.c()[i], 1e-5);
        apart += Math.abs(one.h()[i] - two.h()[i]);
      }
      for (int i = 0; i < one.lambda().length; i++) {
        assertEquals((one.lambda()[i] + two.lambda()[i]) / 2, averaged.lambda()[i], 1e-5);
      }
      assertTrue(apart > 1e-3, "the two draws drew the same noise");
      // One draw is one inference's state.
      VideoInference.State single = v.averagedState(video, b, f, seed, 1f, 1);
      assertArrayEquals(one.h(), single.h(), 1e-6f);
      assertThrows(IllegalArgumentException.class, () -> v.averagedState(video, b, f, seed, 1f, 0));
      return null;
    });
  }
}
