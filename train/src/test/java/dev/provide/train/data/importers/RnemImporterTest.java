package dev.provide.train.data.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.Palette;
import dev.provide.train.data.Variant;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RnemImporterTest {
  @TempDir Path dir;
  private static final int F = 3, N = 4, H = 5, W = 6;

  /** id of ball at (frame t, sequence n, pixel i, j): a simple pattern with 0 = background. */
  private static int id(int t, int n, int i, int j) {
    return (i + j + t + n) % 3;
  }

  /** An R-NEM-layout file written with jhdf in {@code dir}. */
  static Path rnemFile(Path dir) {
    float[][][][][] features = new float[F][N][H][W][1];
    float[][][][][] groups = new float[F][N][H][W][1];
    for (int t = 0; t < F; t++)
      for (int n = 0; n < N; n++)
        for (int i = 0; i < H; i++)
          for (int j = 0; j < W; j++) {
            int g = id(t, n, i, j);
            groups[t][n][i][j][0] = g;
            features[t][n][i][j][0] = g > 0 ? 1f : 0f;
          }
    Path f = dir.resolve("balls.h5");
    try (WritableHdfFile h5 = HdfFile.write(f)) {
      for (String split : new String[] {"training", "test"}) {
        WritableGroup g = h5.putGroup(split);
        g.putDataset("features", features);
        g.putDataset("groups", groups);
      }
    }
    return f;
  }

  @Test
  void aFileCutShortAfterTheSplitIsImportedWithAWarning() throws IOException {
    Path f = rnemFile(dir);
    List<String> warnings = new ArrayList<>();
    RnemImporter.importSplit(f, "test", Variant.BINARY, 100, c -> {}, warnings::add);
    assertEquals(List.of(), warnings, "a whole file gets no warning");
    byte[] all = java.nio.file.Files.readAllBytes(f);
    Path cut = dir.resolve("cut.h5");
    java.nio.file.Files.write(cut, java.util.Arrays.copyOf(all, all.length - 16));
    List<ClipRecord> clips = new ArrayList<>();
    try {
      RnemImporter.importSplit(cut, "training", Variant.BINARY, 100, clips::add, warnings::add);
    } catch (IOException damaged) {
      // the split itself may be what was cut: then the import fails, and the warning came first
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("looks cut short") && warnings.get(0).contains(cut.toString()), warnings.get(0));
  }

  @Test
  void importsBinaryAndColourSequencesOneAtATime() throws IOException {
    Path f = rnemFile(dir);
    List<ClipRecord> binary = new ArrayList<>();
    assertEquals(N, RnemImporter.importSplit(f, "test", Variant.BINARY, 100, binary::add));
    List<ClipRecord> colour = new ArrayList<>();
    assertEquals(2, RnemImporter.importSplit(f, "training", Variant.COLOUR, 2, colour::add));
    for (int n = 0; n < N; n++) {
      ClipRecord c = binary.get(n);
      assertEquals(F, c.numFrames());
      assertEquals(H, c.height());
      assertEquals(W, c.width());
      assertEquals(1, c.channels());
      for (int t = 0; t < F; t++)
        for (int i = 0; i < H; i++)
          for (int j = 0; j < W; j++) {
            int p = (t * H + i) * W + j;
            int g = id(t, n, i, j);
            assertEquals(g, c.ids()[p]);
            assertEquals(g > 0 ? 255 : 0, c.frames()[p] & 0xff);
            if (n < 2) {
              int[] rgb = g == 0 ? new int[] {0, 0, 0} : Palette.ballColour(Variant.COLOUR, g);
              for (int ch = 0; ch < 3; ch++) {
                assertEquals(rgb[ch], colour.get(n).frames()[p * 3 + ch] & 0xff);
              }
            }
          }
      assertEquals(2, c.numObjects());
    }
  }

  @Test
  void clearErrorsForWrongFilesAndSplits() throws IOException {
    Path f = rnemFile(dir);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RnemImporter.importSplit(f, "validation", Variant.BINARY, 1, c -> {}));
    assertTrue(e.getMessage().contains("validation"), e.getMessage());
    Path notH5 = dir.resolve("x.h5");
    Files.writeString(notH5, "not hdf5");
    assertThrows(IOException.class, () -> RnemImporter.importSplit(notH5, "test", Variant.BINARY, 1, c -> {}));
    assertThrows(IllegalArgumentException.class, () -> RnemImporter.importSplit(f, "test", Variant.CURTAIN, 1, c -> {}));
    // A readable HDF5 file whose split lacks a dataset: named, not "not a readable HDF5 file".
    Path partial = dir.resolve("features-only.h5");
    try (WritableHdfFile h5 = HdfFile.write(partial)) {
      h5.putGroup("test").putDataset("features", new float[F][N][H][W][1]);
    }
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> RnemImporter.importSplit(partial, "test", Variant.BINARY, 1, c -> {}));
    assertTrue(missing.getMessage().contains("has no dataset test/groups"), missing.getMessage());
  }
}
