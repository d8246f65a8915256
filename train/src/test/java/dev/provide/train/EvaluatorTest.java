package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.provide.graph.LoadedModel;
import dev.provide.train.data.ClipFiles;
import dev.provide.train.data.ClipRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluator's per-length table against its own per-frame scores, on the shipped model. */
class EvaluatorTest {
  record Row(int sequence, int frame, double ari, double foregroundAri) {}

  @Test
  void perFrameScoresAverageToTheTableAtEveryLength() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(GoldenTest.GOLDEN.resolve("input.tfrecord"), 100);
    int longest = Golden.FRAMES;
    List<Integer> lengths = List.of(1, longest / 2, longest);
    List<Row> rows = new ArrayList<>();
    Map<Integer, Evaluator.Scores> table;
    try (LoadedModel m = LoadedModel.open(GoldenTest.MODEL, false, 0)) {
      // batch 1: the second sequence's index must be offset by the first batch
      table = new Evaluator(m, 1, 1).evaluate(clips, lengths, n -> {}, (s, f, a, fa) -> rows.add(new Row(s, f, a, fa)));
    }
    assertEquals(clips.size() * longest, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      assertEquals(i / longest, rows.get(i).sequence());
      assertEquals(i % longest, rows.get(i).frame());
    }
    for (int l : lengths) {
      double ari = 0, fari = 0;
      int n = 0;
      for (Row r : rows) {
        if (r.frame() < l) {
          ari += r.ari();
          fari += r.foregroundAri();
          n++;
        }
      }
      assertEquals(table.get(l).frames(), n);
      assertEquals(table.get(l).ari(), ari / n, 1e-9, "ARI at length " + l);
      assertEquals(table.get(l).foregroundAri(), fari / n, 1e-9, "F-ARI at length " + l);
    }
  }

  @Test
  void rejectsLengthsLongerThanTheSequences() throws Exception {
    List<ClipRecord> clips = ClipFiles.read(GoldenTest.GOLDEN.resolve("input.tfrecord"), 1);
    try (LoadedModel m = LoadedModel.open(GoldenTest.MODEL, false, 0)) {
      Evaluator e = new Evaluator(m, 2, 1);
      assertThrows(IllegalArgumentException.class, () -> e.evaluate(clips, List.of(clips.get(0).numFrames() + 1), n -> {}));
    }
  }

  @Test
  void everyBatchDrawsItsOwnNoise() {
    java.util.Set<Long> seeds = new java.util.HashSet<>();
    for (int from = 0; from < 10_000; from += 10) {
      seeds.add(Evaluator.batchSeed(1, from));
    }
    assertEquals(1000, seeds.size(), "two batches shared a noise seed");
    assertEquals(1, Evaluator.batchSeed(1, 0), "the first batch keeps the given seed");
  }
}
