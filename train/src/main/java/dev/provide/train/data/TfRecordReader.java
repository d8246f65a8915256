package dev.provide.train.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.ZipException;

/**
 * Streams the records of a TFRecord file, plain or GZIP-compressed (detected from the first
 * bytes), verifying both CRCs of every record. A corrupt or truncated record raises a
 * {@link CorruptRecordException} that names the file and the record index; a length field that
 * fails its CRC is never used to allocate memory.
 */
public final class TfRecordReader implements AutoCloseable {
  /** Records larger than this are refused (Java arrays cannot hold more). */
  static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

  /** Records are read in pieces of at most this many bytes, so memory follows the bytes that arrive. */
  static final int CHUNK = 1 << 20;

  private final Path file;
  private final InputStream in;
  /** Bytes of a plain (uncompressed) file, -1 for GZIP, whose decompressed size is unknown. */
  private final long size;
  private long consumed;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long index;

  private TfRecordReader(Path file, InputStream in, long size) {
    this.file = file;
    this.in = in;
    this.size = size;
  }

  /** Opens {@code file}; fails with a clear message when it is missing or unreadable. */
  public static TfRecordReader open(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + " is a directory, not a TFRecord file");
    }
    BufferedInputStream buffered = new BufferedInputStream(Files.newInputStream(file), 1 << 20);
    buffered.mark(2);
    int b0 = buffered.read(), b1 = buffered.read();
    buffered.reset();
    InputStream in = buffered;
    long size = Files.size(file);
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        in = new BufferedInputStream(new StrictGzipInputStream(buffered), 1 << 20);
      } catch (IOException e) {
        buffered.close();
        throw new CorruptRecordException(file, 0, "bad GZIP header (" + (e.getMessage() == null ? "truncated" : e.getMessage()) + ")");
      }
      size = -1;
    }
    return new TfRecordReader(file, in, size);
  }

  /**
   * The next record, or null at the clean end of the file.
   *
   * @throws CorruptRecordException for a bad CRC, a bad length or a truncated record
   */
  public byte[] next() throws IOException {
    int got;
    try {
      got = readFully(header, 0, 12);
    } catch (ZipException | EOFException e) {
      throw corrupt("bad compressed data: " + (e.getMessage() == null ? "truncated" : e.getMessage()));
    }
    if (got == 0) {
      return null;
    }
    if (got < 12) {
      throw corrupt("truncated record header (" + got + " of 12 bytes)");
    }
    if (getInt(header, 8) != Crc32c.masked(header, 0, 8)) {
      throw corrupt("length CRC mismatch (not a TFRecord file, or corrupt)");
    }
    long length = 0;
    for (int i = 7; i >= 0; i--) {
      length = (length << 8) | (header[i] & 0xff);
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw corrupt("record length " + Long.toUnsignedString(length) + " is too large");
    }
    if (size >= 0 && length + 4 > size - consumed) {
      throw corrupt("record length " + length + " is longer than the " + Math.max(0, size - consumed - 4)
          + " bytes left in the file (truncated or corrupt)");
    }
    byte[] data;
    try {
      data = readRecord((int) length);
      if (readFully(footer, 0, 4) < 4) {
        throw corrupt("truncated record (missing data CRC)");
      }
    } catch (ZipException | EOFException e) {
      throw corrupt("bad compressed data: " + (e.getMessage() == null ? "truncated" : e.getMessage()));
    }
    if (getInt(footer, 0) != Crc32c.masked(data, 0, data.length)) {
      throw corrupt("data CRC mismatch");
    }
    index++;
    return data;
  }

  /** Reads {@code length} bytes, growing the array as they arrive (a lying length costs nothing). */
  private byte[] readRecord(int length) throws IOException {
    byte[] data = new byte[Math.min(length, CHUNK)];
    int filled = 0;
    while (filled < length) {
      if (filled == data.length) {
        data = java.util.Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
      }
      int got = readFully(data, filled, data.length - filled);
      filled += got;
      if (got == 0) {
        throw corrupt("truncated record data (" + filled + " of " + length + " bytes)");
      }
    }
    return data;
  }

  private CorruptRecordException corrupt(String problem) {
    return new CorruptRecordException(file, index, problem);
  }

  private int readFully(byte[] b, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int r = in.read(b, off + total, len - total);
      if (r < 0) {
        break;
      }
      total += r;
    }
    consumed += total;
    return total;
  }

  private static int getInt(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  /** Index of the next record to be read (= records read so far). */
  public long index() {
    return index;
  }

  /** The file being read. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
