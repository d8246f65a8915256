package dev.provide.train.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a TFRecord file: for every record, its length (uint64 little-endian), the masked CRC32C
 * of the length, the data, and the masked CRC32C of the data; optionally GZIP-compressed as a
 * whole (TensorFlow's {@code compression_type="GZIP"}).
 *
 * <p>Records go to a temporary file beside the target; {@link #commit()} renames it to the
 * target. Closing without committing (an exception, an interrupt) deletes the temporary file, so a
 * half-written file never appears under the target name.
 */
public final class TfRecordWriter implements AutoCloseable {
  private final Path target;
  private final Path temporary;
  private final OutputStream out;
  private final byte[] header = new byte[12];
  private final byte[] footer = new byte[4];
  private long records;
  private boolean committed;
  private boolean closed;

  /** Removes the temporary file if the JVM exits before commit or close (null when streaming). */
  private final Thread cleanup;

  private TfRecordWriter(Path target, Path temporary, OutputStream out) {
    this.target = target;
    this.temporary = temporary;
    this.out = out;
    this.cleanup = temporary == null ? null : dev.provide.ops.PartialFiles.deleteOnExit(temporary);
  }

  /**
   * Opens a log-style writer that writes straight to {@code target} and keeps what it wrote on
   * {@link #close()} (for TensorBoard event files, which are read while they grow). Call
   * {@link #flush()} to make records visible.
   */
  public static TfRecordWriter streaming(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    TfRecordWriter w = new TfRecordWriter(target, null, new BufferedOutputStream(Files.newOutputStream(target), 1 << 16));
    return w;
  }

  /** Pushes buffered records to the file (streaming writers). */
  public void flush() throws IOException {
    out.flush();
  }

  /** Opens a writer for {@code target} (created or replaced on {@link #commit()}). */
  public static TfRecordWriter create(Path target, boolean gzip) throws IOException {
    dev.provide.ops.PartialFiles.removeLeftovers(target);
    Path tmp = dev.provide.ops.PartialFiles.file(target);
    OutputStream raw = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
    OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
    return new TfRecordWriter(target, tmp, out);
  }

  /** Appends one record. */
  public void write(byte[] data) throws IOException {
    write(data, 0, data.length);
  }

  /** Appends one record made of {@code length} bytes of {@code data} from {@code offset}. */
  public void write(byte[] data, int offset, int length) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer is closed");
    }
    long len = length;
    for (int i = 0; i < 8; i++) {
      header[i] = (byte) (len >>> (8 * i));
    }
    putInt(header, 8, Crc32c.masked(header, 0, 8));
    putInt(footer, 0, Crc32c.masked(data, offset, length));
    try {
      out.write(header);
      out.write(data, offset, length);
      out.write(footer);
    } catch (IOException e) {
      throw named(e);
    }
    records++;
  }

  /** An error of the file system ("No space left on device") with the file it happened to. */
  private IOException named(IOException e) {
    String m = e.getMessage();
    if (m != null && m.contains(target.toString())) {
      return e;
    }
    return new IOException("cannot write " + target + ": " + (m == null ? e.getClass().getSimpleName() : m), e);
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }

  /** Flushes, closes and moves the file to its target name. */
  public void commit() throws IOException {
    if (temporary == null) {
      throw new IllegalStateException("a streaming writer has nothing to commit; close it");
    }
    if (closed) {
      throw new IllegalStateException("writer is closed");
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw named(e);
    }
    dev.provide.ops.PartialFiles.publish(temporary, target);
    committed = true;
    dev.provide.ops.PartialFiles.keep(cleanup);
  }

  /** Records written so far. */
  public long records() {
    return records;
  }

  /** The file the records end up in. */
  public Path target() {
    return target;
  }

  /** Without a prior {@link #commit()}: discards everything written. */
  @Override
  public void close() throws IOException {
    if (committed) {
      return;
    }
    if (temporary == null) { // streaming: keep the file
      if (!closed) {
        closed = true;
        out.close();
      }
      return;
    }
    if (!closed) {
      closed = true;
      try {
        out.close();
      } catch (IOException ignored) {
        // The file is discarded anyway.
      }
    }
    Files.deleteIfExists(temporary);
    dev.provide.ops.PartialFiles.keep(cleanup);
  }
}
