package dev.provide.train.data;

import java.io.IOException;

/**
 * Where a trainer's batches come from: all clips in memory ({@link ClipBatches}) or a stream of
 * clip files through a bounded shuffle buffer ({@link ClipStream}). Batch number g is a pure
 * function of the seed and g, so a resumed run that {@link #skipTo skips} to its step sees the
 * batches of an uninterrupted one.
 */
public interface TrainingBatches extends AutoCloseable {
  /** Opens a worker's batches with the worker's seed. */
  @FunctionalInterface
  interface Opener {
    /** The batches drawn with {@code seed}. */
    TrainingBatches open(long seed) throws IOException;
  }

  /** Makes the next batch the {@code batchIndex}-th (0-based). */
  void skipTo(long batchIndex) throws IOException;

  /** The next batch of random windows. */
  ClipBatches.Batch next() throws IOException;

  /** Releases open files (nothing for clips in memory). */
  @Override
  default void close() throws IOException {}
}
