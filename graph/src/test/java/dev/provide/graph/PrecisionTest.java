package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Precision names, and native bfloat16 read from CPU flags. */
class PrecisionTest {
  private static final String INTEL_WITHOUT =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse sse2 avx2 avx512f avx512dq avx512_vnni\nbugs\t\t: spectre\n";
  private static final String AMD_WITH =
      "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n";
  private static final String SAPPHIRE_RAPIDS =
      "processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n";

  @Test
  void readsNativeBfloat16FromTheFlags() {
    assertFalse(Precision.nativeBfloat16(INTEL_WITHOUT));
    assertTrue(Precision.nativeBfloat16(AMD_WITH));
    assertTrue(Precision.nativeBfloat16(SAPPHIRE_RAPIDS));
    assertFalse(Precision.nativeBfloat16(""));
    assertFalse(Precision.nativeBfloat16("flags\t: avx512_bf16x\n"), "whole flag names only");
  }

  @Test
  void parsesAndRefusesWithTheValuesAllowed() {
    assertEquals(Precision.FLOAT32, Precision.parse("float32"));
    assertEquals(Precision.BFLOAT16, Precision.parse(" BFloat16 "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
    assertTrue(e.getMessage().contains("float32 or bfloat16"), e.getMessage());
  }

  @Test
  void bfloat16OnTheCpuIsRefusedExactlyWhereItWouldBeEmulated() {
    Precision.FLOAT32.require(false);
    Precision.BFLOAT16.require(true); // a GPU decides for itself
    if (Precision.cpuHasNativeBfloat16()) {
      Precision.BFLOAT16.require(false);
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.BFLOAT16.require(false));
      assertTrue(e.getMessage().contains("use --precision float32"), e.getMessage());
    }
  }
}
