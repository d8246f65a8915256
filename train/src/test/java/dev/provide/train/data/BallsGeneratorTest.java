package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BallsGeneratorTest {
  private static BallsGenerator.Settings settings(String balls, Variant v, long seed) {
    int[] b = BallsGenerator.Settings.parseBalls(balls);
    return new BallsGenerator.Settings(b[0], b[1], v, 12, 32, true, BallsSimulator.Physics.defaults(), seed);
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherBytes() {
    ClipRecord a = new BallsGenerator(settings("4", Variant.COLOUR, 1)).sequence(3);
    ClipRecord b = new BallsGenerator(settings("4", Variant.COLOUR, 1)).sequence(3);
    ClipRecord c = new BallsGenerator(settings("4", Variant.COLOUR, 2)).sequence(3);
    assertArrayEquals(a.toExampleBytes(), b.toExampleBytes());
    assertFalse(java.util.Arrays.equals(a.frames(), c.frames()));
    assertEquals(12, a.numFrames());
    assertEquals(3, a.channels());
    assertEquals(4, a.numObjects());
  }

  @Test
  void ballRangeIsHonouredAndIdsStayInRange() {
    BallsGenerator g = new BallsGenerator(settings("6-8", Variant.FOUR_COLOURS, 5));
    Set<Integer> counts = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      ClipRecord r = g.sequence(i);
      counts.add(r.numObjects());
      for (byte id : r.ids()) {
        assertTrue((id & 0xff) <= r.numObjects());
      }
    }
    assertEquals(Set.of(6, 7, 8), counts);
  }

  @Test
  void parsesBallCounts() {
    assertArrayEquals(new int[] {4, 4}, BallsGenerator.Settings.parseBalls("4"));
    assertArrayEquals(new int[] {6, 8}, BallsGenerator.Settings.parseBalls("6-8"));
    assertThrows(IllegalArgumentException.class, () -> BallsGenerator.Settings.parseBalls("x"));
    assertThrows(IllegalArgumentException.class, () -> settings("8-6", Variant.BINARY, 1));
    assertThrows(IllegalArgumentException.class, () -> Variant.parse("purple"));
    assertEquals(Variant.COLOUR, Variant.parse("color"));
  }
}
