package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipFilesTest {
  private static ClipRecord clip(int h, int w) {
    return new ClipRecord(new byte[2 * h * w], new byte[2 * h * w], 2, h, w, 1, 0, "test", 1);
  }

  @Test
  void everyClipsFrameSizeIsCheckedNotOnlyTheFirstsHeight() {
    Path file = Path.of("mixed.tfrecord");
    assertDoesNotThrow(() -> ClipFiles.requireFrameSize(List.of(clip(8, 8), clip(8, 8)), 8, file));
    IllegalArgumentException wide =
        assertThrows(IllegalArgumentException.class, () -> ClipFiles.requireFrameSize(List.of(clip(8, 8), clip(8, 6)), 8, file));
    assertTrue(wide.getMessage().contains("sequence 1 of mixed.tfrecord has 8x6"), wide.getMessage());
    IllegalArgumentException first =
        assertThrows(IllegalArgumentException.class, () -> ClipFiles.requireFrameSize(List.of(clip(8, 6)), 8, file));
    assertTrue(first.getMessage().contains("the model takes 8x8 frames"), first.getMessage());
  }
}
