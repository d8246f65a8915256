package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.ops.MixtureLikelihood;
import dev.provide.ops.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The prediction term of training (MODEL.md section 6b) against the inference graph's rollout, scored in plain Java. */
class PredictionTermTest {
  private static final int B = 2, F = 3, P = 2;

  @Test
  void thePredictionTermIsTheNllOfTheTrueFramesUnderTheRolledOutMixtures() {
    double paper = predictionTermMatchesTheInferenceGraphsRollout(TrainingGraphTest.tiny());
    // MODEL.md 6c: in the graph for training, and a frame at a time through the inference graph.
    ModelConfig inferred = TrainingGraphTest.tiny();
    inferred = inferred.withTemporal(inferred.temporal().withInferredRollout(true));
    double other = predictionTermMatchesTheInferenceGraphsRollout(inferred);
    // The first predicted frame is the same forecast either way; the second comes from another state.
    assertTrue(Math.abs(paper - other) > 1e-4 * Math.abs(paper), "the inferred rollout predicted what the paper's does: " + paper + " " + other);
    // MODEL.md 6d: two refinement passes per predicted frame.
    ModelConfig passes = TrainingGraphTest.tiny();
    passes = passes.withTemporal(passes.temporal().withRolloutPasses(2));
    double twice = predictionTermMatchesTheInferenceGraphsRollout(passes);
    assertTrue(Math.abs(paper - twice) > 1e-4 * Math.abs(paper), "two passes predicted what one does: " + paper + " " + twice);
  }

  @Test
  void withSeveralDrawsTheRolloutStartsFromTheStateAveragedOverTheClipsOwnInferenceAndTheOthers() {
    ModelConfig c = TrainingGraphTest.tiny();
    double own = predictionTermMatchesTheInferenceGraphsRollout(c, 1);
    double averaged = predictionTermMatchesTheInferenceGraphsRollout(c, 3);
    assertTrue(Math.abs(own - averaged) > 1e-4 * Math.abs(own), "the averaged state predicted what the clip's own does: " + own + " " + averaged);
  }

  /** Checks the term against a plain-Java NLL of the inference graph's rollout; returns that NLL. */
  private static double predictionTermMatchesTheInferenceGraphsRollout(ModelConfig c) {
    return predictionTermMatchesTheInferenceGraphsRollout(c, 1);
  }

  /**
   * {@link #predictionTermMatchesTheInferenceGraphsRollout(ModelConfig)} with the rollout starting
   * from the state averaged over {@code draws} inferences (MODEL.md section 6g): the clip's own,
   * and draws - 1 more that {@link VideoInference#averagedState} makes with the same seeds.
   */
  private static double predictionTermMatchesTheInferenceGraphsRollout(ModelConfig c, int draws) {
    assertEquals(MixtureLikelihood.Form.PER_CHANNEL, c.likelihood());
    int s = c.imageSize(), k = c.slots(), p = s * s;
    float[] observed = TrainingGraphTest.video(B, F, s, 21);
    float[] future = TrainingGraphTest.video(B, P, s, 22);
    long seed = 13;

    // Independent: the inference graph decomposes the observed frames, rolls out P frames, and the
    // NLL of the true frames under the predicted masks and means is summed here, in plain Java.
    VideoInference.Clip rolled = InferenceGraphTest.withInference(c, v -> {
      VideoInference.State own = v.decompose(observed, B, F, seed, 1f).last();
      if (draws == 1) {
        return v.predict(own, P, seed, 0f);
      }
      VideoInference.State others = v.averagedState(observed, B, F, seed, 1f, draws - 1);
      VideoInference.State mean = new VideoInference.State(mean(own.h(), others.h(), draws), mean(own.c(), others.c(), draws),
          mean(own.lambda(), others.lambda(), draws), B, own.nextFrame());
      return v.predict(mean, P, seed, 0f);
    });
    double[] sigmas = c.slotSigmas();
    double expected = 0;
    for (int j = 0; j < P; j++) {
      double sumOverBatch = 0;
      for (int b = 0; b < B; b++) {
        int bf = b * P + j;
        for (int q = 0; q < p; q++) {
          for (int ch = 0; ch < 3; ch++) {
            double x = future[(bf * p + q) * 3 + ch];
            double mixture = 0;
            for (int slot = 0; slot < k; slot++) {
              double m = rolled.masks()[(bf * k + slot) * p + q];
              double mu = rolled.means()[((bf * k + slot) * p + q) * 3 + ch];
              double sg = sigmas[slot];
              mixture += m * Math.exp(-(x - mu) * (x - mu) / (2 * sg * sg)) / (sg * Math.sqrt(2 * Math.PI));
            }
            sumOverBatch += Math.log(mixture);
          }
        }
      }
      expected += -sumOverBatch / B / P;
    }

    float withTerm, without, predictionNll;
    float weight = 0.5f;
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, F, null, Unroller.Noise.sameForEveryVideo(k), new TrainingGraph.Rollout(P, weight).withObserveDraws(draws));
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(observed, B, F, s, s, 3);
          TFloat32 y = Tensors.floats(future, B, P, s, s, 3);
          TInt64 sd = TInt64.vectorOf(seed, 0);
          Result r = sess.runner().feed(t.video, x).feed(t.future, y).feed(t.seed, sd).fetch(t.predictionNll).fetch(t.loss).run()) {
        predictionNll = ((TFloat32) r.get(0)).getFloat();
        withTerm = ((TFloat32) r.get(1)).getFloat();
      }
    }
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, F, null, Unroller.Noise.sameForEveryVideo(k));
      assertNull(t.future);
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(observed, B, F, s, s, 3);
          TInt64 sd = TInt64.vectorOf(seed, 0);
          Result r = sess.runner().feed(t.video, x).feed(t.seed, sd).fetch(t.loss).run()) {
        without = ((TFloat32) r.get(0)).getFloat();
      }
    }
    assertEquals(expected, predictionNll, 1e-4 * Math.abs(expected));
    // loss = the paper's loss + weight * beta * NLL for each of the P predicted frames
    double term = weight * c.loss().nll() * P * predictionNll;
    assertEquals(without + term, withTerm, 1e-4 * Math.abs(withTerm));
    return expected;
  }

  /** (own + (n - 1) * others) / n, element by element. */
  private static float[] mean(float[] own, float[] others, int n) {
    float[] out = new float[own.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (own[i] + (n - 1) * others[i]) / n;
    }
    return out;
  }

  @Test
  void trainingWithTheTermLowersThePredictionNllOnAFixedBatch() {
    trainingLowersThePredictionNll(new TrainingGraph.Rollout(P, 1));
    // MODEL.md 6g: from the state averaged over the clip's own inference and another.
    trainingLowersThePredictionNll(new TrainingGraph.Rollout(P, 1).withObserveDraws(2));
  }

  private static void trainingLowersThePredictionNll(TrainingGraph.Rollout rollout) {
    ModelConfig c = TrainingGraphTest.tiny();
    int s = c.imageSize();
    try (Graph g = new Graph()) {
      // The optimiser's build also checks that every variable affects the loss.
      TrainingGraph t = TrainingGraph.build(g, c, F, new TrainingGraph.Optimization(1e-2, 5), rollout);
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(TrainingGraphTest.video(B, F, s, 23), B, F, s, s, 3);
          TFloat32 y = Tensors.floats(TrainingGraphTest.video(B, P, s, 24), B, P, s, s, 3);
          TInt64 sd = TInt64.vectorOf(3, 4)) {
        sess.initialize();
        float before = nll(sess, t, x, y, sd);
        for (int i = 0; i < 8; i++) {
          sess.runner().feed(t.video, x).feed(t.future, y).feed(t.seed, sd).addTarget(t.train).run().close();
        }
        float after = nll(sess, t, x, y, sd);
        assertTrue(after < before, "prediction NLL did not fall: " + before + " -> " + after);
      }
    }
  }

  @Test
  void theFeedbackGradientChangesTheGradientOnlyWhenAPredictedFrameIsFedIntoAScoredOne() {
    // The forward pass is the same either way. The gradient differs only if a later predicted
    // frame is scored (P >= 2): the last fed-back frame only makes a temporal state nothing scores.
    assertChangesTheGradientOnlyFromTheSecondPredictedFrame(p -> new TrainingGraph.Rollout(p, 1, false), p -> new TrainingGraph.Rollout(p, 1, true));
  }

  @Test
  void aConstantStateChangesTheGradientOnlyWhenAPredictedFrameFollowsATransition() {
    // The same for the state after each predicted frame, under both rollouts (MODEL.md 6, 6c).
    ModelConfig inferred = TrainingGraphTest.tiny().withTemporal(TrainingGraphTest.tiny().temporal().withInferredRollout(true));
    for (ModelConfig c : java.util.List.of(TrainingGraphTest.tiny(), inferred)) {
      assertChangesTheGradientOnlyFromTheSecondPredictedFrame(
          c, p -> new TrainingGraph.Rollout(p, 1, false, false), p -> new TrainingGraph.Rollout(p, 1, false, true));
    }
  }

  private static void assertChangesTheGradientOnlyFromTheSecondPredictedFrame(
      java.util.function.IntFunction<TrainingGraph.Rollout> stop, java.util.function.IntFunction<TrainingGraph.Rollout> flow) {
    assertChangesTheGradientOnlyFromTheSecondPredictedFrame(TrainingGraphTest.tiny(), stop, flow);
  }

  private static void assertChangesTheGradientOnlyFromTheSecondPredictedFrame(
      ModelConfig c, java.util.function.IntFunction<TrainingGraph.Rollout> stop, java.util.function.IntFunction<TrainingGraph.Rollout> flow) {
    for (int p : new int[] {1, 2}) {
      double[] stopped = gradient(c, stop.apply(p));
      double[] flowing = gradient(c, flow.apply(p));
      double norm = 0, difference = 0;
      for (int i = 0; i < stopped.length; i++) {
        norm += stopped[i] * stopped[i];
        difference += (stopped[i] - flowing[i]) * (stopped[i] - flowing[i]);
      }
      double relative = Math.sqrt(difference / norm);
      if (p == 1) {
        assertTrue(relative < 1e-6, "P 1: the gradients differ by " + relative);
      } else {
        assertTrue(relative > 1e-4, "P 2: the gradient changed by only " + relative);
      }
    }
  }

  /** Every variable's gradient of the loss on a fixed batch, from the config's seeded weights, flattened. */
  private static double[] gradient(ModelConfig c, TrainingGraph.Rollout rollout) {
    int s = c.imageSize(), p = rollout.frames();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, F, new TrainingGraph.Optimization(1e-2, 5), rollout);
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(TrainingGraphTest.video(B, F, s, 25), B, F, s, s, 3);
          TFloat32 y = Tensors.floats(TrainingGraphTest.video(B, p, s, 26), B, p, s, s, 3);
          TInt64 sd = TInt64.vectorOf(5, 6)) {
        sess.initialize();
        Session.Runner runner = sess.runner().feed(t.video, x).feed(t.future, y).feed(t.seed, sd);
        t.gradients.forEach(runner::fetch);
        try (Result r = runner.run()) {
          java.util.List<Double> all = new java.util.ArrayList<>();
          for (int i = 0; i < t.gradients.size(); i++) {
            TFloat32 grad = (TFloat32) r.get(i);
            grad.scalars().forEach(v -> all.add((double) v.getFloat()));
          }
          return all.stream().mapToDouble(Double::doubleValue).toArray();
        }
      }
    }
  }

  private static float nll(Session sess, TrainingGraph t, TFloat32 x, TFloat32 y, TInt64 sd) {
    try (Result r = sess.runner().feed(t.video, x).feed(t.future, y).feed(t.seed, sd).fetch(t.predictionNll).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Test
  void theLatentTermIsTheKlOfTheTrueFramesPosteriorFromTheRolloutsPrior() {
    // MODEL.md 6e. Independent: a clip of F + 1 observed frames, where the ELBO's KL of frame F's last
    // step is KL(q_F || p(z_F | h_{F-1})), q_F the posterior of the true frame inferred after the
    // observed ones, p the prior the rollout's first forecast also decodes.
    ModelConfig c = TrainingGraphTest.tiny();
    int s = c.imageSize(), k = c.slots(), frame = s * s * 3;
    float[] observed = TrainingGraphTest.video(B, F, s, 27);
    float[] future = TrainingGraphTest.video(B, P, s, 28);
    float[] clip = new float[B * (F + 1) * frame];
    for (int b = 0; b < B; b++) {
      System.arraycopy(observed, b * F * frame, clip, b * (F + 1) * frame, F * frame);
      System.arraycopy(future, b * P * frame, clip, (b * (F + 1) + F) * frame, frame);
    }
    float elboKl;
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, F + 1, null, Unroller.Noise.sameForEveryVideo(k));
      java.util.List<Unroller.StepLoss> steps = t.unrolled.get(F).losses();
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(clip, B, F + 1, s, s, 3);
          TInt64 sd = TInt64.vectorOf(7, 0);
          Result r = sess.runner().feed(t.video, x).feed(t.seed, sd).fetch(steps.get(steps.size() - 1).kl()).run()) {
        elboKl = ((TFloat32) r.get(0)).getFloat();
      }
    }
    float[] one = new float[B * frame];
    for (int b = 0; b < B; b++) {
      System.arraycopy(future, b * P * frame, one, b * frame, frame);
    }
    float latentWeight = 2f;
    float[] term = latentTerm(c, new TrainingGraph.Rollout(1, 0.5, false, true, latentWeight), observed, one, 1);
    assertEquals(elboKl, term[0], 1e-5 * Math.abs(elboKl));
    // loss = the loss with the pixel term + latentWeight * psi * KL for each predicted frame
    float[] plain = latentTerm(c, new TrainingGraph.Rollout(1, 0.5), observed, one, 1);
    assertEquals(plain[1] + latentWeight * c.loss().kl() * term[0], term[1], 1e-5 * Math.abs(term[1]));
    // Two frames: the second frame's KL is of the rollout's second prior, from another state.
    float[] two = latentTerm(c, new TrainingGraph.Rollout(P, 0.5, false, true, latentWeight), observed, future, P);
    float[] twoPlain = latentTerm(c, new TrainingGraph.Rollout(P, 0.5), observed, future, P);
    assertEquals(twoPlain[1] + latentWeight * c.loss().kl() * P * two[0], two[1], 1e-5 * Math.abs(two[1]));
    assertTrue(Math.abs(two[0] - term[0]) > 1e-4 * term[0], "the second frame added nothing: " + term[0] + " " + two[0]);
  }

  @Test
  void theLatentScoresAreTheKlAndTheLaplaceNllOfThePosteriorMean() {
    ModelConfig c = TrainingGraphTest.tiny();
    int k = c.slots(), d = c.latentSize(), n = B * k * d;
    java.util.Random rnd = new java.util.Random(31);
    float[] muQ = new float[n], logVarQ = new float[n], muP = new float[n], logVarP = new float[n];
    for (int i = 0; i < n; i++) {
      muQ[i] = (float) rnd.nextGaussian();
      logVarQ[i] = (float) rnd.nextGaussian() - 1;
      muP[i] = (float) rnd.nextGaussian();
      logVarP[i] = (float) rnd.nextGaussian();
    }
    double kl = 0, laplace = 0;
    for (int i = 0; i < n; i++) {
      double varQ = Math.exp(logVarQ[i]), varP = Math.exp(logVarP[i]), diff = muQ[i] - muP[i];
      kl += 0.5 * (Math.log(varP) - logVarQ[i] + (varQ + diff * diff) / varP - 1);
      double scale = Math.sqrt(varP / 2);
      laplace += Math.abs(diff) / scale + Math.log(2 * scale);
    }
    try (Graph g = new Graph(); Session sess = new Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      Unroller.Frame target = latents(tf, muQ, logVarQ, k, d), predicted = latents(tf, muP, logVarP, k, d);
      for (TrainingGraph.LatentScore score : TrainingGraph.LatentScore.values()) {
        try (Result r = sess.runner().fetch(TrainingGraph.latentScore(tf, c, score, target, predicted)).run()) {
          double expected = (score == TrainingGraph.LatentScore.KL ? kl : laplace) / B; // summed over slots, batch mean
          assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-5 * Math.abs(expected), score.toString());
        }
      }
    }
  }

  @Test
  void theStateTermIsTheSquaredDistanceOfTheRolloutsStateFromTheTrueFrames() {
    ModelConfig c = TrainingGraphTest.tiny();
    int n = B * c.slots() * c.lstmSize();
    java.util.Random rnd = new java.util.Random(32);
    float[] target = new float[n], rollout = new float[n];
    double expected = 0;
    for (int i = 0; i < n; i++) {
      target[i] = (float) rnd.nextGaussian();
      rollout[i] = (float) rnd.nextGaussian();
      expected += (target[i] - rollout[i]) * (target[i] - rollout[i]);
    }
    expected /= B; // summed over units and slots, batch mean
    try (Graph g = new Graph(); Session sess = new Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(B * c.slots(), c.lstmSize());
      java.util.function.Function<float[], Unroller.Carried> state = h -> new Unroller.Carried(
          new dev.provide.ops.Lstm2dCell.State(tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(h)), null), null);
      try (Result r = sess.runner().fetch(TrainingGraph.stateDistance(tf, c, state.apply(target), state.apply(rollout))).run()) {
        assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 1e-5 * expected);
      }
    }
    // In the loss: stateWeight * the distance per predicted frame.
    int s = c.imageSize();
    float[] observed = TrainingGraphTest.video(B, F, s, 33), future = TrainingGraphTest.video(B, P, s, 34);
    float[] plain = latentTerm(c, new TrainingGraph.Rollout(P, 0.5, false, true, 1), observed, future, P);
    float[] withState = latentTerm(c, new TrainingGraph.Rollout(P, 0.5, false, true, 1, TrainingGraph.LatentScore.KL, 3), observed, future, P);
    assertEquals(plain[0], withState[0], 1e-6 * Math.abs(plain[0]));
    assertTrue(withState[2] > 0, "the rollout's state matched the true frames' exactly");
    assertEquals(plain[1] + 3 * P * withState[2], withState[1], 1e-5 * Math.abs(withState[1]));
  }

  private static Unroller.Frame latents(org.tensorflow.op.Ops tf, float[] mean, float[] logVariance, int k, int d) {
    org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(B, k, d);
    return new Unroller.Frame(null, null, null, null, tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(mean)),
        tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(logVariance)), null, java.util.List.of(), java.util.List.of(), null);
  }

  /** {prediction KL, loss, state distance} of a training graph on a fixed clip (NaN where the true future frames are not inferred). */
  private static float[] latentTerm(ModelConfig c, TrainingGraph.Rollout rollout, float[] observed, float[] future, int p) {
    int s = c.imageSize();
    try (Graph g = new Graph()) {
      TrainingGraph t = TrainingGraph.build(g, c, F, null, Unroller.Noise.sameForEveryVideo(c.slots()), rollout);
      assertEquals(rollout.infersTargets(), t.predictionLatent != null);
      try (Session sess = new Session(g);
          TFloat32 x = Tensors.floats(observed, B, F, s, s, 3);
          TFloat32 y = Tensors.floats(future, B, p, s, s, 3);
          TInt64 sd = TInt64.vectorOf(7, 0)) {
        Session.Runner runner = sess.runner().feed(t.video, x).feed(t.future, y).feed(t.seed, sd).fetch(t.loss);
        if (t.predictionLatent != null) {
          runner.fetch(t.predictionLatent).fetch(t.predictionState);
        }
        try (Result r = runner.run()) {
          float loss = ((TFloat32) r.get(0)).getFloat();
          boolean targets = t.predictionLatent != null;
          return new float[] {targets ? ((TFloat32) r.get(1)).getFloat() : Float.NaN, loss, targets ? ((TFloat32) r.get(2)).getFloat() : Float.NaN};
        }
      }
    }
  }

  @Test
  void badRolloutsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, 1, false, true, -1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, 1, false, true, Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, 1, false, true, 1, TrainingGraph.LatentScore.KL, -1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, 1, false, true, 1, null, 0));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, 1).withObserveDraws(0));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, -0.5));
    assertThrows(IllegalArgumentException.class, () -> new TrainingGraph.Rollout(2, Double.NaN));
    assertTrue(!TrainingGraph.Rollout.NONE.active());
  }
}
