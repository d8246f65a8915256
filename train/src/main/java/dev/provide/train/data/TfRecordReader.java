package dev.provide.train.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
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

  private final Path file;
  private final InputStream in;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long index;

  private TfRecordReader(Path file, InputStream in) {
    this.file = file;
    this.in = in;
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
    if (b0 == 0x1f && b1 == 0x8b) {
      in = new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 20);
    }
    return new TfRecordReader(file, in);
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
      throw corrupt("bad compressed data: " + e.getMessage());
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
    byte[] data = new byte[(int) length];
    try {
      if (readFully(data, 0, data.length) < data.length) {
        throw corrupt("truncated record data");
      }
      if (readFully(footer, 0, 4) < 4) {
        throw corrupt("truncated record (missing data CRC)");
      }
    } catch (ZipException | EOFException e) {
      throw corrupt("bad compressed data: " + e.getMessage());
    }
    if (getInt(footer, 0) != Crc32c.masked(data, 0, data.length)) {
      throw corrupt("data CRC mismatch");
    }
    index++;
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
