package dev.provide.export.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FirstDecompositionTest {
  @Test
  void theReadmeExampleRunsOnTheShippedModel() throws Exception {
    int size = 32, frames = 10;
    float[] video = new float[frames * size * size * 3];
    // one white ball of radius 3 moving right, on black
    for (int t = 0; t < frames; t++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int dx = x - (8 + t), dy = y - 12;
          if (dx * dx + dy * dy <= 9) {
            for (int c = 0; c < 3; c++) {
              video[((t * size + y) * size + x) * 3 + c] = 1f;
            }
          }
        }
      }
    }
    int slot = FirstDecomposition.run(Path.of("..", "testdata", "model"), video);
    assertTrue(slot >= 0 && slot < 5, "slot " + slot);
  }
}
