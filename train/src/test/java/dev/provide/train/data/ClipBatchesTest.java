package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClipBatchesTest {
  /** A clip whose pixel values encode (clip, frame) so windows can be traced back. */
  private static ClipRecord tagged(int clip, int frames, int channels) {
    int h = 2, w = 3;
    byte[] f = new byte[frames * h * w * channels];
    byte[] ids = new byte[frames * h * w];
    for (int t = 0; t < frames; t++) {
      for (int p = 0; p < h * w; p++) {
        for (int c = 0; c < channels; c++) {
          f[(t * h * w + p) * channels + c] = (byte) (clip * 20 + t + c);
        }
        ids[t * h * w + p] = (byte) (p % 3);
      }
    }
    return new ClipRecord(f, ids, frames, h, w, channels, 2, "test", clip);
  }

  @Test
  void windowsAreConsecutiveFramesScaledToUnitRangeAndGreyIsRepeated() {
    List<ClipRecord> clips = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clips.add(tagged(i, 9, 1));
    }
    ClipBatches batches = new ClipBatches(clips, 4, 3, 7);
    ClipBatches.Batch b = batches.next();
    assertArrayEquals(new long[] {3, 4, 2, 3, 3}, b.frameShape());
    for (int e = 0; e < 3; e++) {
      int firstTag = Math.round(b.frames()[(e * 4) * 6 * 3] * 255);
      for (int t = 0; t < 4; t++) {
        for (int p = 0; p < 6; p++) {
          int o = ((e * 4 + t) * 6 + p) * 3;
          assertEquals((firstTag + t) / 255f, b.frames()[o], 1e-7);
          assertEquals(b.frames()[o], b.frames()[o + 1]);
          assertEquals(b.frames()[o], b.frames()[o + 2]);
          assertEquals(p % 3, b.ids()[(e * 4 + t) * 6 + p]);
        }
      }
    }
  }

  @Test
  void everyClipOncePerEpochAndSeedDeterminesOrder() {
    List<ClipRecord> clips = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clips.add(tagged(i, 5, 3));
    }
    ClipBatches a = new ClipBatches(clips, 2, 2, 1);
    ClipBatches b = new ClipBatches(clips, 2, 2, 1);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      ClipBatches.Batch x = a.next();
      assertArrayEquals(x.frames(), b.next().frames());
      for (int e = 0; e < 2; e++) {
        seen.add(Math.round(x.frames()[e * 2 * 6 * 3] * 255) / 20);
      }
    }
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), seen);
  }

  @Test
  void skippingReproducesTheStream() {
    List<ClipRecord> clips = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clips.add(tagged(i, 9, 1));
    }
    ClipBatches straight = new ClipBatches(clips, 3, 2, 9);
    for (int i = 0; i < 4; i++) {
      straight.next();
    }
    ClipBatches skipped = new ClipBatches(clips, 3, 2, 9);
    skipped.skipTo(4);
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(straight.next().frames(), skipped.next().frames());
    }
  }

  @Test
  void sequencesTakeTheFirstFrames() {
    List<ClipRecord> clips = List.of(tagged(0, 6, 3), tagged(1, 6, 3));
    ClipBatches.Batch b = ClipBatches.sequences(clips, 1, 1, 6);
    assertEquals(20 / 255f, b.frames()[0], 1e-7);
    assertEquals(21 / 255f, b.frames()[1], 1e-7); // channel 1
    assertEquals(25 / 255f, b.frames()[5 * 6 * 3], 1e-7);
    assertTrue(b.frameIds(0, 5).length == 6);
    assertThrows(IllegalArgumentException.class, () -> ClipBatches.sequences(clips, 0, 2, 7));
    assertThrows(IllegalArgumentException.class, () -> new ClipBatches(clips, 7, 1, 1));
  }

  @Test
  void aBatchSplitsIntoObservedAndFutureFrames() {
    List<ClipRecord> clips = List.of(tagged(0, 6, 3), tagged(1, 6, 3));
    ClipBatches.Batch b = ClipBatches.sequences(clips, 0, 2, 5);
    ClipBatches.Batch observed = b.frames(0, 3), future = b.frames(3, 2);
    assertEquals(3, observed.numFrames());
    assertEquals(2, future.numFrames());
    int frame = 6 * 3; // values of one frame
    for (int example = 0; example < 2; example++) {
      for (int t = 0; t < 5; t++) {
        ClipBatches.Batch part = t < 3 ? observed : future;
        int local = t < 3 ? t : t - 3;
        for (int i = 0; i < frame; i++) {
          assertEquals(b.frames()[(example * 5 + t) * frame + i], part.frames()[(example * part.numFrames() + local) * frame + i],
              "example " + example + " frame " + t);
        }
        assertArrayEquals(b.frameIds(example, t), part.frameIds(example, local));
      }
    }
    assertSame(b, b.frames(0, 5));
    assertThrows(IllegalArgumentException.class, () -> b.frames(3, 3));
    assertThrows(IllegalArgumentException.class, () -> b.frames(0, 0));
  }
}
