package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TfRecordTest {
  @TempDir Path dir;

  @Test
  void maskedCrcOfTheStandardCheckValue() {
    // CRC32C("123456789") = 0xE3069283 (RFC 3720); masked per TensorFlow's crc32c::Mask.
    int crc = 0xE3069283;
    int expected = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(expected, Crc32c.masked(b, 0, b.length));
  }

  @Test
  void roundTripPlainAndGzip() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      Path f = dir.resolve("r" + gzip + ".tfrecord");
      List<byte[]> records = List.of(new byte[0], "hello".getBytes(StandardCharsets.UTF_8), new byte[70_000]);
      try (TfRecordWriter w = TfRecordWriter.create(f, gzip)) {
        for (byte[] r : records) {
          w.write(r);
        }
        w.commit();
      }
      byte[] head = Files.readAllBytes(f);
      assertEquals(gzip, (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b);
      try (TfRecordReader r = TfRecordReader.open(f)) {
        for (byte[] expected : records) {
          assertArrayEquals(expected, r.next());
        }
        assertNull(r.next());
      }
    }
  }

  @Test
  void exactFramingOfOneRecord() throws IOException {
    Path f = dir.resolve("one.tfrecord");
    try (TfRecordWriter w = TfRecordWriter.create(f, false)) {
      w.write(new byte[] {1, 2, 3});
      w.commit();
    }
    byte[] b = Files.readAllBytes(f);
    assertEquals(8 + 4 + 3 + 4, b.length);
    assertEquals(3, b[0]);
    for (int i = 1; i < 8; i++) {
      assertEquals(0, b[i]);
    }
    assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(b, 12, 15));
  }

  private Path threeClips(boolean gzip) throws IOException {
    BallsGenerator g =
        new BallsGenerator(new BallsGenerator.Settings(2, 2, Variant.BINARY, 3, 8, false, BallsSimulator.Physics.defaults(), 1));
    List<ClipRecord> clips = List.of(g.sequence(0), g.sequence(1), g.sequence(2));
    Path f = dir.resolve("clips" + gzip + ".tfrecord");
    ClipFiles.write(f, clips, gzip);
    return f;
  }

  @Test
  void flippedByteIsReportedWithFileAndRecordIndex() throws IOException {
    Path f = threeClips(false);
    byte[] b = Files.readAllBytes(f);
    int recordLength = b.length / 3;
    b[recordLength + 40] ^= 0x10; // inside record 1's data
    Files.write(f, b);
    List<ClipRecord> seen = new ArrayList<>();
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(f, seen::add));
    assertEquals(1, e.record());
    assertEquals(1, seen.size());
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("record 1"), e.getMessage());
  }

  @Test
  void truncatedFileIsReported() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      Path f = threeClips(gzip);
      byte[] b = Files.readAllBytes(f);
      Files.write(f, java.util.Arrays.copyOf(b, b.length - 7));
      CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(f, c -> {}));
      assertTrue(e.getMessage().contains("record"), e.getMessage());
    }
  }

  @Test
  void gzipWithGarbageAfterItIsRefusedAndConcatenatedMembersAreRead() throws IOException {
    Path f = threeClips(true);
    byte[] gz = Files.readAllBytes(f);
    List<ClipRecord> clips = new ArrayList<>();
    ClipFiles.forEach(f, clips::add);
    for (byte[] tail : new byte[][] {{0}, {0x1f}, "trailing garbage".getBytes(StandardCharsets.US_ASCII), new byte[5000]}) {
      Path bad = Files.write(dir.resolve("garbage" + tail.length + ".tfrecord"), concat(gz, tail));
      CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(bad, c -> {}));
      assertTrue(e.getMessage().contains("after the end of the compressed stream") || e.getMessage().contains("truncated"),
          e.getMessage());
    }
    // Two members (as `cat a.gz b.gz` makes) are one valid stream: TensorFlow reads it so too.
    Path twice = Files.write(dir.resolve("twice.tfrecord"), concat(gz, gz));
    List<ClipRecord> read = new ArrayList<>();
    ClipFiles.forEach(twice, read::add);
    assertEquals(6, read.size());
    assertEquals(clips.get(2), read.get(5));
    // A member whose trailer CRC does not match its data is corrupt.
    byte[] badCrc = gz.clone();
    badCrc[badCrc.length - 6] ^= 1;
    Path crc = Files.write(dir.resolve("crc.tfrecord"), badCrc);
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(crc, c -> {}));
    assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
  }

  @Test
  void gzipHeaderWithAFileNameIsRead() throws IOException {
    Path f = threeClips(true);
    byte[] gz = Files.readAllBytes(f);
    // Set FNAME and insert a zero-terminated name after the 10-byte fixed header, as gzip(1) writes.
    byte[] name = "clips.tfrecord\0".getBytes(StandardCharsets.US_ASCII);
    byte[] named = concat(concat(java.util.Arrays.copyOf(gz, 10), name), java.util.Arrays.copyOfRange(gz, 10, gz.length));
    named[3] |= 0x08;
    Path n = Files.write(dir.resolve("named.tfrecord"), named);
    List<ClipRecord> read = new ArrayList<>();
    ClipFiles.forEach(n, read::add);
    assertEquals(3, read.size());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aLyingLengthIsRefusedBeforeAnythingIsAllocated() throws IOException {
    // A 112-byte file whose first length field says 2^31 - 17, with a valid length CRC.
    long length = (1L << 31) - 17;
    byte[] bytes = new byte[112];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (length >>> (8 * i));
    }
    int crc = Crc32c.masked(bytes, 0, 8);
    for (int i = 0; i < 4; i++) {
      bytes[8 + i] = (byte) (crc >>> (8 * i));
    }
    Path plain = Files.write(dir.resolve("lying.tfrecord"), bytes);
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(plain, c -> {}));
    assertTrue(e.getMessage().contains("longer than the 96 bytes left"), e.getMessage());
    // Compressed, the size is unknown: the reader grows its buffer only as bytes arrive.
    Path gzip = dir.resolve("lying.tfrecord.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gzip))) {
      out.write(bytes);
    }
    long before = usedHeap();
    e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(gzip, c -> {}));
    assertTrue(e.getMessage().contains("truncated record data (100 of " + length + " bytes)"), e.getMessage());
    assertTrue(usedHeap() - before < 64L << 20, "reading a lying record allocated " + (usedHeap() - before) + " bytes");
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void garbageIsNotATfRecordFile() throws IOException {
    Path f = dir.resolve("garbage.txt");
    Files.writeString(f, "this is a text file, not TFRecords at all\n");
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(f, c -> {}));
    assertEquals(0, e.record());
    assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    assertThrows(IOException.class, () -> ClipFiles.read(dir.resolve("missing.tfrecord"), 10));
  }

  @Test
  void recordsThatAreNotClipsAreReported() throws IOException {
    Path f = dir.resolve("other.tfrecord");
    try (TfRecordWriter w = TfRecordWriter.create(f, false)) {
      w.write("not an example".getBytes(StandardCharsets.UTF_8));
      w.commit();
    }
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> ClipFiles.forEach(f, c -> {}));
    assertEquals(0, e.record());
  }

  @Test
  void writerClosedWithoutCommitLeavesNoFile() throws IOException {
    Path f = dir.resolve("interrupted.tfrecord");
    try (TfRecordWriter w = TfRecordWriter.create(f, false)) {
      w.write(new byte[100]);
      // an exception here would skip commit()
    }
    assertFalse(Files.exists(f));
    try (var files = Files.list(dir)) {
      assertEquals(0, files.filter(p -> p.getFileName().toString().contains("interrupted")).count());
    }
  }

  @Test
  void clipRoundTripKeepsEveryField() throws IOException {
    Path f = threeClips(true);
    List<ClipRecord> read = ClipFiles.read(f, 100);
    BallsGenerator g =
        new BallsGenerator(new BallsGenerator.Settings(2, 2, Variant.BINARY, 3, 8, false, BallsSimulator.Physics.defaults(), 1));
    assertEquals(3, read.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(g.sequence(i), read.get(i));
    }
  }
}
