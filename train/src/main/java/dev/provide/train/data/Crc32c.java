package dev.provide.train.data;

import java.util.zip.CRC32C;

/**
 * The masked CRC32C of the TFRecord format. Uses the JDK's {@link CRC32C}, which the JIT turns
 * into the CPU's CRC32 instructions (several GB/s; Guava's table-driven version is many times
 * slower, and record data here runs to gigabytes).
 */
final class Crc32c {
  private static final int MASK_DELTA = 0xa282ead8;

  private Crc32c() {}

  /** TensorFlow's mask: rotate right by 15 bits and add a constant. */
  static int masked(byte[] data, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, offset, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }
}
