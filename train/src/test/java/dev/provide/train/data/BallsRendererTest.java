package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BallsRendererTest {
  private static final int S = 32;

  @Test
  void hardEdgeMasksAgreeWithDrawnPixels() {
    for (Variant v : new Variant[] {Variant.BINARY, Variant.COLOUR, Variant.FOUR_COLOURS}) {
      BallsSimulator sim = new BallsSimulator(6, BallsSimulator.Physics.defaults(), new SplittableRandom(3));
      BallsRenderer r = new BallsRenderer(S, v, false);
      int c = v.channels();
      byte[] frame = new byte[S * S * c];
      byte[] ids = new byte[S * S];
      for (int t = 0; t < 50; t++) {
        sim.step();
        r.draw(sim, frame, 0, ids, 0);
        for (int p = 0; p < S * S; p++) {
          int id = ids[p];
          int[] expected = id == 0 ? new int[] {0, 0, 0} : Palette.ballColour(v, id);
          for (int ch = 0; ch < c; ch++) {
            assertEquals(expected[ch], frame[p * c + ch] & 0xff, v + " pixel " + p + " id " + id);
          }
          if (id > 0) {
            // The pixel centre is inside ball id, and inside no ball drawn later.
            double px = (p % S + 0.5) / S, py = (p / S + 0.5) / S;
            assertTrue(inside(sim, id - 1, px, py));
            for (int later = id; later < sim.balls(); later++) {
              assertTrue(!inside(sim, later, px, py), "a later ball covers this pixel");
            }
          }
        }
      }
    }
  }

  private static boolean inside(BallsSimulator sim, int b, double px, double py) {
    double dx = px - sim.x(b), dy = py - sim.y(b);
    return Math.sqrt(dx * dx + dy * dy) * S <= sim.radius() * S;
  }

  @Test
  void antialiasedBallsCoverTheirIdsAndBlendAtEdges() {
    BallsSimulator sim = new BallsSimulator(4, BallsSimulator.Physics.defaults(), new SplittableRandom(4));
    BallsRenderer r = new BallsRenderer(S, Variant.BINARY, true);
    byte[] frame = new byte[S * S];
    byte[] ids = new byte[S * S];
    r.draw(sim, frame, 0, ids, 0);
    int partial = 0;
    for (int p = 0; p < S * S; p++) {
      int v = frame[p] & 0xff;
      if (ids[p] != 0) {
        assertTrue(v >= 127, "an id pixel must be at least half covered, got " + v);
      } else {
        assertTrue(v <= 128, "a background pixel must be at most half covered, got " + v);
      }
      partial += v > 0 && v < 255 ? 1 : 0;
    }
    assertTrue(partial > 0, "anti-aliasing produced no grey edge pixels");
  }

  @Test
  void curtainCoversBallsAndHasItsOwnId() {
    BallsSimulator sim = new BallsSimulator(3, BallsSimulator.Physics.defaults(), new SplittableRandom(6));
    BallsRenderer r = new BallsRenderer(S, Variant.CURTAIN, false);
    byte[] frame = new byte[S * S];
    byte[] ids = new byte[S * S];
    r.draw(sim, frame, 0, ids, 0);
    int left = (int) Math.round(BallsRenderer.CURTAIN_LEFT * S);
    for (int i = 0; i < S; i++) {
      assertEquals(4, ids[i * S + left]);
      assertEquals(Palette.CURTAIN_GREY, frame[i * S + left] & 0xff);
    }
  }

  @Test
  void framesAreClearedBetweenDraws() {
    BallsSimulator sim = new BallsSimulator(2, BallsSimulator.Physics.defaults(), new SplittableRandom(7));
    BallsRenderer r = new BallsRenderer(S, Variant.BINARY, false);
    byte[] a = new byte[S * S], ids = new byte[S * S];
    java.util.Arrays.fill(a, (byte) 99);
    r.draw(sim, a, 0, ids, 0);
    byte[] b = new byte[S * S];
    r.draw(sim, b, 0, ids, 0);
    assertArrayEquals(b, a);
  }
}
