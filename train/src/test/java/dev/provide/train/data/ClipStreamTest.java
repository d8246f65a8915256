package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streamed batches: shards, the held-out tail, resuming mid-stream, patterns and bad clips. */
class ClipStreamTest {
  private static final int SIZE = 4, FRAMES = 6, WINDOW = 3;

  @TempDir Path dir;

  /** Sequence number i: every id is i, and frame t's pixels are t (so a window shows its start). */
  private static ClipRecord numbered(int i, int size) {
    byte[] frames = new byte[FRAMES * size * size];
    for (int t = 0; t < FRAMES; t++) {
      java.util.Arrays.fill(frames, t * size * size, (t + 1) * size * size, (byte) t);
    }
    byte[] ids = new byte[FRAMES * size * size];
    java.util.Arrays.fill(ids, (byte) i);
    return new ClipRecord(frames, ids, FRAMES, size, size, 1, 255, "numbered", i);
  }

  /** Sequences 0..n-1 in files of {@code perFile} each: train-00.tfrecord, train-01.tfrecord, ... */
  private List<Path> files(int n, int perFile) throws Exception {
    List<Path> out = new ArrayList<>();
    for (int from = 0, f = 0; from < n; from += perFile, f++) {
      List<ClipRecord> clips = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + perFile); i++) {
        clips.add(numbered(i, SIZE));
      }
      Path p = dir.resolve(String.format("train-%02d.tfrecord", f));
      ClipFiles.write(p, clips, f % 2 == 1); // every other file compressed
      out.add(p);
    }
    return out;
  }

  /** The sequence number of each window of a batch. */
  private static int[] sequences(ClipBatches.Batch b) {
    int[] out = new int[b.batchSize()];
    for (int e = 0; e < out.length; e++) {
      out[e] = b.frameIds(e, 0)[0];
    }
    return out;
  }

  @Test
  void eachWorkerSeesOnlyItsShardAndEveryTrainingSequenceOfItInAFewEpochs() throws Exception {
    ClipStream.Sources s = ClipStream.Sources.scan(files(23, 5));
    assertEquals(23, s.total());
    long train = 20; // 20, 21, 22 held out
    for (int w = 0; w < 3; w++) {
      Set<Integer> seen = new HashSet<>();
      try (ClipStream stream = new ClipStream(s, train, w, 3, WINDOW, 2, 4, 9, SIZE)) {
        for (int b = 0; b < 60; b++) {
          ClipBatches.Batch batch = stream.next();
          for (int i : sequences(batch)) {
            assertEquals(w, i % 3, "worker " + w + " got sequence " + i);
            assertTrue(i < train, "held-out sequence " + i + " in training");
            seen.add(i);
          }
        }
      }
      Set<Integer> shard = new HashSet<>();
      for (int i = w; i < train; i += 3) {
        shard.add(i);
      }
      assertEquals(shard, seen, "worker " + w);
    }
  }

  @Test
  void windowsStartAnywhereInTheClip() throws Exception {
    ClipStream.Sources s = ClipStream.Sources.scan(files(8, 8));
    Set<Integer> starts = new HashSet<>();
    try (ClipStream stream = new ClipStream(s, 8, 0, 1, WINDOW, 4, 3, 1, SIZE)) {
      for (int b = 0; b < 20; b++) {
        ClipBatches.Batch batch = stream.next();
        for (int e = 0; e < batch.batchSize(); e++) {
          int first = Math.round(batch.frames()[e * WINDOW * SIZE * SIZE * 3] * 255);
          int second = Math.round(batch.frames()[(e * WINDOW + 1) * SIZE * SIZE * 3] * 255);
          assertEquals(first + 1, second, "consecutive frames");
          starts.add(first);
        }
      }
    }
    assertEquals(Set.of(0, 1, 2, 3), starts);
  }

  @Test
  void skippingToABatchGivesTheBatchesOfAnUninterruptedStream() throws Exception {
    ClipStream.Sources s = ClipStream.Sources.scan(files(17, 6));
    List<ClipBatches.Batch> straight = new ArrayList<>();
    try (ClipStream stream = new ClipStream(s, 15, 1, 2, WINDOW, 3, 4, 21, SIZE)) {
      for (int b = 0; b < 25; b++) { // several epochs of the 7-sequence shard
        straight.add(stream.next());
      }
    }
    for (int at : new int[] {0, 1, 7, 19}) {
      try (ClipStream resumed = new ClipStream(s, 15, 1, 2, WINDOW, 3, 4, 21, SIZE)) {
        resumed.skipTo(at);
        for (int b = at; b < Math.min(at + 4, straight.size()); b++) {
          ClipBatches.Batch x = resumed.next();
          assertArrayEquals(straight.get(b).ids(), x.ids(), "batch " + b + " after skipping to " + at);
          assertArrayEquals(straight.get(b).frames(), x.frames(), "batch " + b + " after skipping to " + at);
        }
      }
    }
  }

  @Test
  void theHeldOutTailSpansFilesAndTheBufferIsNeverLargerThanTheShard() throws Exception {
    ClipStream.Sources s = ClipStream.Sources.scan(files(11, 4));
    List<ClipRecord> tail = s.tail(6);
    assertEquals(5, tail.size());
    for (int i = 0; i < tail.size(); i++) {
      assertEquals(6 + i, tail.get(i).ids()[0]);
    }
    try (ClipStream stream = new ClipStream(s, 6, 0, 2, WINDOW, 1, 100, 1, SIZE)) {
      assertEquals(3, stream.bufferSize());
    }
  }

  @Test
  void patternsNameTheMatchingFilesInOrder() throws Exception {
    List<Path> written = files(9, 3);
    Files.writeString(dir.resolve("notes.txt"), "not a clip file");
    assertEquals(written, ClipStream.expand(dir.resolve("train-*.tfrecord")));
    assertEquals(List.of(written.get(1)), ClipStream.expand(dir.resolve("train-0[1].tfrecord")));
    Path plain = dir.resolve("train-00.tfrecord");
    assertEquals(List.of(plain), ClipStream.expand(plain));
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ClipStream.expand(dir.resolve("val-*.tfrecord")));
    assertTrue(none.getMessage().startsWith("no file matches"), none.getMessage());
  }

  @Test
  void aClipOfAnotherSizeOrTooShortIsNamed() throws Exception {
    Path mixed = dir.resolve("mixed.tfrecord");
    ClipFiles.write(mixed, List.of(numbered(0, SIZE), numbered(1, SIZE + 2)), false);
    ClipStream.Sources s = ClipStream.Sources.scan(List.of(mixed));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ClipStream(s, 2, 0, 1, WINDOW, 1, 2, 1, SIZE));
    assertTrue(e.getMessage().contains("sequence 1 of " + mixed) && e.getMessage().contains("6x6"), e.getMessage());
    IllegalArgumentException shortClips =
        assertThrows(IllegalArgumentException.class, () -> new ClipStream(s, 1, 0, 1, FRAMES + 1, 1, 2, 1, SIZE));
    assertTrue(shortClips.getMessage().contains("fewer than the training window"), shortClips.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClipStream(s, 1, 1, 2, WINDOW, 1, 2, 1, SIZE), "worker 1 has none");
  }
}
