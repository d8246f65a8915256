package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.testing.TinyConfig;
import dev.provide.ops.Tensors;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The decoder's uniform background option against the free decoder's output, averaged in plain Java. */
class DecoderTest {
  private static final int B = 2;

  @Test
  void aUniformBackgroundIsTheSpatialMeanOfWhatTheFreeDecoderPaintsAndObjectSlotsAreUntouched() {
    ModelConfig free = TinyConfig.create();
    ModelConfig.Decoder d = free.decoder();
    ModelConfig uniform = free.withDecoder(
        new ModelConfig.Decoder(d.mlpWidth(), d.convs(), d.filters(), d.kernel(), d.outputKernel(), true));
    float[] painted = means(free);
    float[] flat = means(uniform);
    int k = free.slots(), pixels = free.imageSize() * free.imageSize();
    for (int n = 0; n < B * k; n++) {
      for (int ch = 0; ch < 3; ch++) {
        double mean = 0;
        for (int p = 0; p < pixels; p++) {
          mean += painted[(n * pixels + p) * 3 + ch];
        }
        mean /= pixels;
        double spread = 0;
        for (int p = 0; p < pixels; p++) {
          int i = (n * pixels + p) * 3 + ch;
          if (n % k == 0) {
            assertEquals(mean, flat[i], 1e-6, "background slot of video " + n / k + ", pixel " + p + ", channel " + ch);
          } else {
            assertEquals(painted[i], flat[i], 0f, "object slot " + n % k + " of video " + n / k);
          }
          spread = Math.max(spread, Math.abs(painted[i] - mean));
        }
        assertTrue(spread > 1e-4, "the free decoder painted slot " + n % k + " flat already: the test would prove nothing");
      }
    }
  }

  @Test
  void aUniformBackgroundNeedsABackgroundSlot() {
    ModelConfig c = TinyConfig.create();
    ModelConfig.Decoder d = c.decoder();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.withBackgroundSigma(0).withDecoder(
        new ModelConfig.Decoder(d.mlpWidth(), d.convs(), d.filters(), d.kernel(), d.outputKernel(), true)));
    assertTrue(e.getMessage().contains("uniformBackground"), e.getMessage());
  }

  /** The decoded means [B*K, H, W, 3] of fixed random z and h, from the configuration's seeded weights. */
  private static float[] means(ModelConfig c) {
    int n = B * c.slots();
    Random random = new Random(7);
    float[] z = new float[n * c.latentSize()];
    float[] h = new float[n * c.lstmSize()];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < h.length; i++) {
      h[i] = (float) random.nextGaussian() * 0.5f;
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Decoder decoder = Decoder.create(tf, c);
      try (TFloat32 zt = Tensors.floats(z, n, c.latentSize());
          TFloat32 ht = Tensors.floats(h, n, c.lstmSize())) {
        var zIn = tf.placeholder(TFloat32.class);
        var hIn = tf.placeholder(TFloat32.class);
        var decoded = decoder.decode(tf, zIn, hIn);
        try (Session s = new Session(g)) {
          s.initialize();
          try (Result r = s.runner().feed(zIn, zt).feed(hIn, ht).fetch(decoded.means()).run()) {
            return Tensors.toFloats((TFloat32) r.get(0));
          }
        }
      }
    }
  }
}
