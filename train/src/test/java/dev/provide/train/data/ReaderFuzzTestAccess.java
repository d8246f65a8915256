package dev.provide.train.data;

import java.util.Random;

/** Lets the importer fuzz tests in another package use {@link ReaderFuzzTest}'s mutator. */
public final class ReaderFuzzTestAccess {
  private ReaderFuzzTestAccess() {}

  /** {@link ReaderFuzzTest#mutate(byte[], Random)}. */
  public static byte[] mutate(byte[] in, Random rnd) {
    return ReaderFuzzTest.mutate(in, rnd);
  }
}
