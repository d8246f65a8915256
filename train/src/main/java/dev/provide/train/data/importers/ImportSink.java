package dev.provide.train.data.importers;

import dev.provide.train.data.ClipRecord;
import dev.provide.train.data.TfRecordWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Writes imported clips to a TFRecord clip file atomically; counts them. */
public final class ImportSink implements Consumer<ClipRecord>, AutoCloseable {
  private final TfRecordWriter writer;
  private final Runnable onEach;
  private long count;

  /** Opens {@code out}; {@code onEach} runs after every clip (progress). */
  public ImportSink(Path out, boolean gzip, Runnable onEach) throws IOException {
    this.writer = TfRecordWriter.create(out, gzip);
    this.onEach = onEach;
  }

  @Override
  public void accept(ClipRecord c) {
    try {
      writer.write(c.toExampleBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    count++;
    onEach.run();
  }

  /** Clips written. */
  public long count() {
    return count;
  }

  /** Makes the file appear under its name. */
  public void commit() throws IOException {
    if (count == 0) {
      throw new IOException("nothing was imported; no file written");
    }
    writer.commit();
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
