package dev.provide.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The arithmetic a session runs in: float32, or bfloat16 mixed precision (oneDNN's automatic
 * mixed precision rewrites eligible float32 ops to bfloat16; variables stay float32).
 *
 * <p>bfloat16 pays only where the CPU computes it natively (AVX512_BF16 or AMX): elsewhere oneDNN
 * emulates it, and a training step of the paper preset was measured 4.6x slower than float32
 * (docs/PERFORMANCE.md). {@link #require} refuses it there.
 */
public enum Precision {
  FLOAT32,
  BFLOAT16;

  /** The CPU flags (Linux /proc/cpuinfo names) that mean native bfloat16 arithmetic. */
  static final Set<String> NATIVE_BFLOAT16_FLAGS = Set.of("avx512_bf16", "amx_bf16");

  private static Boolean nativeBfloat16;

  /**
   * Parses {@code float32} or {@code bfloat16} (any case).
   *
   * @throws IllegalArgumentException naming the values allowed
   */
  public static Precision parse(String s) {
    switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "float32":
        return FLOAT32;
      case "bfloat16":
        return BFLOAT16;
      default:
        throw new IllegalArgumentException("--precision must be float32 or bfloat16, got '" + s + "'");
    }
  }

  /** The name users write. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this machine's CPU computes bfloat16 natively (read once from /proc/cpuinfo; false where it cannot be read). */
  public static synchronized boolean cpuHasNativeBfloat16() {
    if (nativeBfloat16 == null) {
      String cpuinfo;
      try {
        cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
      } catch (IOException | RuntimeException e) {
        cpuinfo = "";
      }
      nativeBfloat16 = nativeBfloat16(cpuinfo);
    }
    return nativeBfloat16;
  }

  /** Whether a /proc/cpuinfo text lists a native bfloat16 flag on its first "flags" line. */
  static boolean nativeBfloat16(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        int colon = line.indexOf(':');
        for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
          if (NATIVE_BFLOAT16_FLAGS.contains(flag)) {
            return true;
          }
        }
        return false;
      }
    }
    return false;
  }

  /**
   * Checks that this precision can run fast here: bfloat16 on the CPU needs native bfloat16.
   *
   * @param gpu whether the session runs on a GPU (where TensorFlow decides; not checked here)
   * @throws IllegalArgumentException for bfloat16 on a CPU without it, saying why and what to use
   */
  public void require(boolean gpu) {
    if (this == BFLOAT16 && !gpu && !cpuHasNativeBfloat16()) {
      throw new IllegalArgumentException("--precision bfloat16 needs a CPU with native bfloat16 (AVX512_BF16 or AMX), "
          + "and this one has neither: oneDNN would emulate it, measured 4.6x slower than float32 (docs/PERFORMANCE.md); "
          + "use --precision float32");
    }
  }
}
