package dev.provide.train.data;

import java.io.IOException;
import java.nio.file.Path;

/** A TFRecord file that cannot be read: names the file and the index of the bad record. */
public final class CorruptRecordException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long record;

  /** Describes what is wrong with record {@code record} (0-based) of {@code file}. */
  public CorruptRecordException(Path file, long record, String problem) {
    super(file + ", record " + record + ": " + problem);
    this.file = file;
    this.record = record;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The 0-based index of the bad record. */
  public long record() {
    return record;
  }
}
