package dev.provide.train.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses a GZIP file (RFC 1952), one or more members, and rejects anything else after them.
 * The JDK's {@code GZIPInputStream} ends quietly at bytes after the last member that are not
 * another member, so a file with garbage appended read as whole; here it is a
 * {@link ZipException} that says so. Each member's CRC-32 and length are checked.
 */
final class StrictGzipInputStream extends InputStream {
  private static final int FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10, RESERVED = 0xe0;

  private final PushbackInputStream in;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final byte[] buffer = new byte[1 << 16];
  private final byte[] one = new byte[1];
  private int buffered;
  private long memberBytes;
  private long compressedOffset;
  private boolean ended;

  /** Reads the first member's header; an {@link IOException} when it is not GZIP data. */
  StrictGzipInputStream(InputStream raw) throws IOException {
    this.in = new PushbackInputStream(raw, buffer.length);
    readHeader();
  }

  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (!ended) {
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("invalid deflate data at byte " + compressedOffset + " (" + e.getMessage() + ")");
      }
      if (n > 0) {
        crc.update(b, off, n);
        memberBytes += n;
        return n;
      }
      if (inflater.finished()) {
        endMember();
      } else if (inflater.needsDictionary()) {
        throw new ZipException("deflate data asks for a preset dictionary, which GZIP does not have");
      } else if (inflater.needsInput()) {
        buffered = in.read(buffer);
        if (buffered < 0) {
          throw new EOFException("the file ends inside compressed data (truncated)");
        }
        compressedOffset += buffered;
        inflater.setInput(buffer, 0, buffered);
      }
    }
    return -1;
  }

  /** Checks the trailer; then the file must end or another member begin. */
  private void endMember() throws IOException {
    int left = inflater.getRemaining();
    if (left > 0) {
      in.unread(buffer, buffered - left, left);
      compressedOffset -= left;
    }
    long storedCrc = readLittleEndian(4), storedSize = readLittleEndian(4);
    if (storedCrc != crc.getValue()) {
      throw new ZipException("CRC-32 of the decompressed data does not match the GZIP trailer (corrupt)");
    }
    if (storedSize != (memberBytes & 0xffffffffL)) {
      throw new ZipException("decompressed length does not match the GZIP trailer (corrupt)");
    }
    int b0 = in.read();
    if (b0 < 0) {
      ended = true;
      return;
    }
    int b1 = in.read();
    if (b0 != 0x1f || b1 != 0x8b) {
      throw new ZipException("data after the end of the compressed stream, at byte " + compressedOffset
          + " (not a GZIP member: appended garbage?)");
    }
    in.unread(b1);
    in.unread(b0);
    inflater.reset();
    crc.reset();
    memberBytes = 0;
    readHeader();
  }

  private void readHeader() throws IOException {
    if (readByte() != 0x1f || readByte() != 0x8b) {
      throw new ZipException("not in GZIP format");
    }
    if (readByte() != 8) {
      throw new ZipException("unsupported GZIP compression method (only deflate is)");
    }
    int flags = readByte();
    if ((flags & RESERVED) != 0) {
      throw new ZipException("reserved GZIP header flags are set (corrupt)");
    }
    skipHeaderBytes(6); // modification time, extra flags, operating system
    if ((flags & FEXTRA) != 0) {
      skipHeaderBytes(readLittleEndian(2));
    }
    if ((flags & FNAME) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FCOMMENT) != 0) {
      skipZeroTerminated();
    }
    if ((flags & FHCRC) != 0) {
      skipHeaderBytes(2);
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("the file ends inside a GZIP header or trailer (truncated)");
    }
    compressedOffset++;
    return b;
  }

  private long readLittleEndian(int bytes) throws IOException {
    long v = 0;
    for (int i = 0; i < bytes; i++) {
      v |= (long) readByte() << (8 * i);
    }
    return v;
  }

  private void skipHeaderBytes(long bytes) throws IOException {
    for (long i = 0; i < bytes; i++) {
      readByte();
    }
  }

  private void skipZeroTerminated() throws IOException {
    while (readByte() != 0) {
      // a file name or comment
    }
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }
}
