package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.provide.graph.ConfigJson;
import dev.provide.graph.ModelConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the readers of untrusted files: each mutant of a valid file must
 * either read or fail with a clear error (an IOException or IllegalArgumentException with a
 * message), never another exception, and never use memory out of proportion to the file.
 */
class ReaderFuzzTest {
  private static final int CASES = 1500;

  @TempDir Path dir;

  @Test
  void clipFilesReadOrFailCleanly() throws Exception {
    List<ClipRecord> clips = new ArrayList<>();
    BallsGenerator g = new BallsGenerator(new BallsGenerator.Settings(2, 3, Variant.COLOUR, 3, 8, true, BallsSimulator.Physics.defaults(), 40));
    for (int i = 0; i < 3; i++) {
      clips.add(g.sequence(i));
    }
    Path valid = dir.resolve("valid.tfrecord");
    ClipFiles.write(valid, clips, false);
    byte[] plain = Files.readAllBytes(valid);
    byte[] gzip = gzip(plain);
    Random rnd = new Random(2026);
    Path f = dir.resolve("mutant.tfrecord");
    List<byte[]> payloads = new ArrayList<>();
    try (TfRecordReader r = TfRecordReader.open(valid)) {
      for (byte[] rec = r.next(); rec != null; rec = r.next()) {
        payloads.add(rec);
      }
    }
    for (int i = 0; i < CASES; i++) {
      byte[] mutant;
      if (i % 4 == 2) {
        // Valid framing and CRCs around a mutated tf.train.Example: reaches the clip parser.
        int which = rnd.nextInt(payloads.size());
        try (TfRecordWriter w = TfRecordWriter.create(f, false)) {
          for (int j = 0; j < payloads.size(); j++) {
            w.write(j == which ? mutate(payloads.get(j), rnd) : payloads.get(j));
          }
          w.commit();
        }
        mutant = Files.readAllBytes(f);
      } else {
        mutant = mutate(i % 4 == 3 ? gzip : plain, rnd);
        Files.write(f, mutant);
      }
      long before = usedHeap();
      try {
        ClipFiles.read(f, 100);
      } catch (IOException | IllegalArgumentException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "case " + i + ": an error without a message: " + e);
      } catch (RuntimeException | OutOfMemoryError e) {
        fail("case " + i + " (" + mutant.length + " bytes): " + e, e);
      }
      assertTrue(usedHeap() - before < 256L << 20, "case " + i + ": reading " + mutant.length + " bytes took "
          + ((usedHeap() - before) >> 20) + " MB");
    }
  }

  @Test
  void configFilesReadOrFailCleanly() {
    byte[] valid = ConfigJson.toJson(ModelConfig.cpu()).getBytes(StandardCharsets.UTF_8);
    Random rnd = new Random(7);
    for (int i = 0; i < CASES; i++) {
      String mutant = new String(mutate(valid, rnd), StandardCharsets.UTF_8);
      try {
        ConfigJson.fromJson(mutant);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "case " + i + ": an error without a message");
      } catch (RuntimeException e) {
        fail("case " + i + ": " + e + " for\n" + mutant, e);
      }
    }
  }

  /** One to four random edits: flip, overwrite, insert, delete, truncate, or repeat a slice. */
  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    int edits = 1 + rnd.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(6)) {
        case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
        case 1 -> b[at] = (byte) rnd.nextInt(256);
        case 2 -> {
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) rnd.nextInt(256);
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        case 3 -> {
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + 1, c, at, b.length - at - 1);
          b = c;
        }
        case 4 -> b = java.util.Arrays.copyOf(b, at);
        default -> {
          int len = Math.min(b.length - at, 1 + rnd.nextInt(64));
          byte[] c = new byte[b.length + len];
          System.arraycopy(b, 0, c, 0, at + len);
          System.arraycopy(b, at, c, at + len, b.length - at);
          b = c;
        }
      }
    }
    return b;
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
