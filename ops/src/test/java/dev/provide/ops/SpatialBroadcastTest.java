package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.provide.ops.testing.GradientCheck;
import dev.provide.ops.testing.Graphs;
import dev.provide.ops.testing.Graphs.Fetched;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpatialBroadcastTest {
  @Test
  void tilesTheVectorAndAppendsCoordinates() {
    int n = 2, d = 3, h = 4, w = 5;
    float[] z = Graphs.normal(new Random(1), n * d, 1.0);
    Fetched out =
        Graphs.run(
                List.of(z),
                List.of(new long[] {n, d}),
                (tf, in) -> List.of(SpatialBroadcast.broadcast(tf, in.get(0), h, w)))
            .get(0);
    assertArrayEquals(new long[] {n, h, w, d + 2}, out.shape());
    float[] v = out.values();
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          int p = ((b * h + i) * w + j) * (d + 2);
          for (int c = 0; c < d; c++) {
            assertEquals(z[b * d + c], v[p + c]);
          }
          assertEquals(-1.0 + 2.0 * j / (w - 1), v[p + d], 1e-6, "x coordinate");
          assertEquals(-1.0 + 2.0 * i / (h - 1), v[p + d + 1], 1e-6, "y coordinate");
        }
      }
    }
  }

  @Test
  void coordinatesSpanMinusOneToOne() {
    float[] c =
        Graphs.run(List.of(), List.of(), (tf, in) -> List.of(SpatialBroadcast.coordinates(tf, 3, 2)))
            .get(0)
            .values();
    // [1, 3, 2, 2]: first pixel (-1, -1), last (1, 1), middle row y = 0.
    assertArrayEquals(new float[] {-1, -1, 1, -1, -1, 0, 1, 0, -1, 1, 1, 1}, c);
    assertEquals(0f, SpatialBroadcast.linspace(0, 1));
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    GradientCheck.of()
        .input(Graphs.normal(new Random(2), 2 * 3, 1.0), 2, 3)
        .check((tf, in) -> tf.math.square(SpatialBroadcast.broadcast(tf, in.get(0), 3, 4)));
  }
}
