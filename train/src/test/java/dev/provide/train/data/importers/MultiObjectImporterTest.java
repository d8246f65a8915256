package dev.provide.train.data.importers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.CorruptRecordException;
import dev.provide.train.data.TfRecordWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;

class MultiObjectImporterTest {
  @TempDir Path dir;
  private static final int H = 35, W = 35, E = 4;

  /** Entity of pixel (i, j): three squares on a background. */
  private static int entity(int i, int j) {
    if (i < 10 && j < 10) return 1;
    if (i >= 20 && j < 10) return 2;
    if (i >= 20 && j >= 20) return 3;
    return 0;
  }

  /** A tetrominoes-style example: one single-byte string per element, as DeepMind's files hold. */
  static Example example(boolean perElement) {
    return example(perElement, -1);
  }

  /** The example with entity {@code missing} painted as background (its mask empty). */
  static Example example(boolean perElement, int missing) {
    byte[] image = new byte[H * W * 3];
    byte[] mask = new byte[E * H * W];
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        int e = entity(i, j) == missing ? 0 : entity(i, j);
        mask[e * H * W + i * W + j] = (byte) 255;
        for (int c = 0; c < 3; c++) {
          image[(i * W + j) * 3 + c] = (byte) (e * 60 + c);
        }
      }
    }
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature("image", bytes(image, perElement))
        .putFeature("mask", bytes(mask, perElement))).build();
  }

  private static Feature bytes(byte[] b, boolean perElement) {
    BytesList.Builder l = BytesList.newBuilder();
    if (perElement) {
      for (byte x : b) {
        l.addValue(ByteString.copyFrom(new byte[] {x}));
      }
    } else {
      l.addValue(ByteString.copyFrom(b));
    }
    return Feature.newBuilder().setBytesList(l).build();
  }

  private Path file(boolean perElement, boolean gzip) throws IOException {
    Path f = dir.resolve("t" + perElement + gzip + ".tfrecords");
    try (TfRecordWriter w = TfRecordWriter.create(f, gzip)) {
      w.write(example(perElement).toByteArray());
      w.write(example(perElement).toByteArray());
      w.commit();
    }
    return f;
  }

  @Test
  void importsBothByteLayoutsWithIdsFromMasks() throws IOException {
    for (boolean perElement : new boolean[] {true, false}) {
      List<ClipRecord> clips = new ArrayList<>();
      assertEquals(2, MultiObjectImporter.importFile(file(perElement, true), MultiObjectImporter.DataSet.TETROMINOES, Crop.none(), 10, clips::add));
      ClipRecord c = clips.get(0);
      assertEquals(1, c.numFrames());
      assertEquals(3, c.numObjects());
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          assertEquals(entity(i, j), c.ids()[i * W + j]);
          assertEquals(entity(i, j) * 60 + 2, c.frames()[(i * W + j) * 3 + 2] & 0xff);
        }
      }
    }
  }

  @Test
  void entitiesArePresentNumberedWithoutGaps() {
    // entity 2 absent: entities 1 and 3 become objects 1 and 2, and no id exceeds num_objects
    ClipRecord c = MultiObjectImporter.toClip(example(false, 2), MultiObjectImporter.DataSet.TETROMINOES, Crop.none());
    assertEquals(2, c.numObjects());
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        int e = entity(i, j);
        int expected = e == 1 ? 1 : e == 3 ? 2 : 0;
        assertEquals(expected, c.ids()[i * W + j], "pixel " + i + "," + j);
      }
    }
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> new ClipRecord(new byte[3], new byte[] {3}, 1, 1, 1, 3, 2, "x", 0));
    assertTrue(bad.getMessage().contains("above num_objects 2"), bad.getMessage());
  }

  @Test
  void cropAndResizeUseNearestIds() throws IOException {
    List<ClipRecord> clips = new ArrayList<>();
    MultiObjectImporter.importFile(file(true, false), MultiObjectImporter.DataSet.TETROMINOES, Crop.parse("0,0,30,30", 15), 1, clips::add);
    ClipRecord c = clips.get(0);
    assertEquals(15, c.height());
    assertEquals(15, c.width());
    for (int i = 0; i < 15; i++) {
      for (int j = 0; j < 15; j++) {
        assertEquals(entity(2 * i + 1, 2 * j + 1), c.ids()[i * 15 + j], "pixel " + i + "," + j);
      }
    }
  }

  @Test
  void wrongDataSetIsReportedWithTheRecord() throws IOException {
    Path f = file(false, true);
    CorruptRecordException e = assertThrows(CorruptRecordException.class,
        () -> MultiObjectImporter.importFile(f, MultiObjectImporter.DataSet.OBJECTS_ROOM, Crop.none(), 10, c -> {}));
    assertEquals(0, e.record());
    assertThrows(IllegalArgumentException.class, () -> MultiObjectImporter.DataSet.parse("mnist"));
  }
}
