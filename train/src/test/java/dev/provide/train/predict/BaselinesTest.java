package dev.provide.train.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BaselinesTest {
  private static final int H = 12, W = 16, K = 3, F = 3, P = 4;

  /**
   * A scene drawn independently of the baselines: a 3x3 red square (slot 1) that moves (dy, dx)
   * pixels a frame on a grey background (slot 0); slot 2 is empty. Frame t has the square's
   * top-left corner at (2 + t * dy, 1 + t * dx).
   */
  private record Scene(float[] frames, float[] masks, float[] means) {
    static final float[] RED = {1f, 0f, 0f}, GREY = {0.25f, 0.25f, 0.25f};

    static Scene of(int frames, int dy, int dx) {
      float[] x = new float[frames * H * W * 3], m = new float[frames * K * H * W], mu = new float[frames * K * H * W * 3];
      for (int t = 0; t < frames; t++) {
        for (int r = 0; r < H; r++) {
          for (int c = 0; c < W; c++) {
            int q = r * W + c;
            int top = 2 + t * dy, left = 1 + t * dx;
            boolean inSquare = r >= top && r < top + 3 && c >= left && c < left + 3;
            int slot = inSquare ? 1 : 0;
            m[(t * K + slot) * H * W + q] = 1f;
            for (int ch = 0; ch < 3; ch++) {
              x[(t * H * W + q) * 3 + ch] = inSquare ? RED[ch] : GREY[ch];
              mu[((t * K) * H * W + q) * 3 + ch] = GREY[ch]; // the background slot's appearance: grey everywhere
              mu[((t * K + 1) * H * W + q) * 3 + ch] = inSquare ? RED[ch] : 0f; // the object's: the square
            }
          }
        }
      }
      return new Scene(x, m, mu);
    }

    float[] frames(int from, int to) {
      return java.util.Arrays.copyOfRange(frames, from * H * W * 3, to * H * W * 3);
    }

    float[] masks(int from, int to) {
      return java.util.Arrays.copyOfRange(masks, from * K * H * W, to * K * H * W);
    }

    float[] means(int from, int to) {
      return java.util.Arrays.copyOfRange(means, from * K * H * W * 3, to * K * H * W * 3);
    }
  }

  private static Baselines observe(Scene s) {
    return new Baselines(new Baselines.Dims(1, F, P, K, H, W), s.frames(0, F), s.masks(0, F), s.means(0, F));
  }

  @Test
  void constantVelocityContinuesAnObjectMovingAWholeNumberOfPixels() {
    Scene s = Scene.of(F + P, 1, 2);
    Forecast f = observe(s).constantVelocity();
    assertArrayEquals(s.frames(F, F + P), f.reconstruction(), 1e-6f);
    assertArrayEquals(s.masks(F, F + P), f.masks(), 1e-6f);
  }

  @Test
  void constantVelocityMovesByFractionsOfAPixelKeepingTheMass() {
    // The object grows from columns 1-3 to columns 1-4 (rows 2-4): its centroid moves by 0.5 px a
    // frame, so the forecast at horizon h is centred on column 2.5 + 0.5 h, bilinearly, mass kept.
    Scene s = Scene.of(F, 0, 0);
    float[] masks = s.masks(0, F);
    int last = (F - 1) * K * H * W;
    for (int r = 2; r < 5; r++) {
      masks[last + r * W + 4] = 0f;
      masks[last + H * W + r * W + 4] = 1f;
    }
    Forecast f = new Baselines(new Baselines.Dims(1, F, P, K, H, W), s.frames(0, F), masks, s.means(0, F)).constantVelocity();
    for (int h = 1; h <= P; h++) {
      double mass = 0, x = 0, rest = 0;
      for (int q = 0; q < H * W; q++) {
        double v = f.masks()[((h - 1) * K + 1) * H * W + q];
        mass += v;
        x += v * (q % W);
        rest += f.masks()[((h - 1) * K) * H * W + q] + f.masks()[((h - 1) * K + 2) * H * W + q];
      }
      assertEquals(12.0, mass, 1e-4, "mass at horizon " + h);
      assertEquals(2.5 + 0.5 * h, x / mass, 1e-4, "centre column at horizon " + h);
      assertEquals(H * W - 12.0, rest, 1e-4, "the background takes what the object leaves");
    }
  }

  @Test
  void onTheTrueLabelsConstantVelocityContinuesTheTrueObject() {
    Scene s = Scene.of(F + P, 1, 2);
    int[] ids = new int[F * H * W];
    for (int t = 0; t < F; t++) {
      for (int q = 0; q < H * W; q++) {
        ids[t * H * W + q] = s.masks[(t * K + 1) * H * W + q] > 0.5f ? 200 : 0; // the square is object 200: a sparse label
      }
    }
    Forecast f = Baselines.ofTruth(1, F, P, H, W, s.frames(0, F), ids).trueMasksVelocity();
    assertEquals(Baselines.TRUE_MASKS_VELOCITY, f.name());
    assertEquals(P * 2 * H * W, f.masks().length, "one slot per label value present: background and the square");
    assertArrayEquals(s.frames(F, F + P), f.reconstruction(), 1f / 255, "behind the square: the commonest colour, to 8 bits");
    float[] future = s.masks(F, F + P);
    for (int h = 0; h < P; h++) {
      for (int slot = 0; slot < 2; slot++) {
        assertArrayEquals(java.util.Arrays.copyOfRange(future, (h * K + slot) * H * W, (h * K + slot + 1) * H * W),
            java.util.Arrays.copyOfRange(f.masks(), (h * 2 + slot) * H * W, (h * 2 + slot + 1) * H * W), 1e-6f,
            "slot " + slot + " at horizon " + (h + 1));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Baselines.ofTruth(1, F, P, H, W, s.frames(0, F), new int[F * H * W - 1]));
  }

  @Test
  void copyLastRepeatsTheLastFrameAndItsMasks() {
    Scene s = Scene.of(F + P, 1, 1);
    Forecast f = observe(s).copyLast();
    for (int h = 0; h < P; h++) {
      assertArrayEquals(s.frames(F - 1, F), java.util.Arrays.copyOfRange(f.reconstruction(), h * H * W * 3, (h + 1) * H * W * 3));
      assertArrayEquals(s.masks(F - 1, F), java.util.Arrays.copyOfRange(f.masks(), h * K * H * W, (h + 1) * K * H * W));
    }
  }

  @Test
  void backgroundIsTheCommonestColourInTheLargestSlot() {
    Scene s = Scene.of(F + P, 1, 1);
    Forecast f = observe(s).background();
    for (int q = 0; q < P * H * W; q++) {
      assertArrayEquals(Scene.GREY, java.util.Arrays.copyOfRange(f.reconstruction(), q * 3, q * 3 + 3), 1f / 255);
      int frame = q / (H * W), pixel = q % (H * W);
      assertEquals(1f, f.masks()[(frame * K) * H * W + pixel]);
    }
  }

  @Test
  void needsTwoObservedFrames() {
    assertThrows(IllegalArgumentException.class, () -> new Baselines.Dims(1, 1, P, K, H, W));
    Scene s = Scene.of(F, 0, 0);
    assertThrows(IllegalArgumentException.class,
        () -> new Baselines(new Baselines.Dims(1, F, P, K, H, W), s.frames(0, F - 1), s.masks(0, F), s.means(0, F)));
  }
}
