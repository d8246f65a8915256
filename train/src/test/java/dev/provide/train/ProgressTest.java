package dev.provide.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void theEnvironmentChoosesHowProgressIsShown() {
    assertEquals(Progress.Mode.BAR, Progress.mode(null, true), "a terminal gets the redrawn bar");
    assertEquals(Progress.Mode.LINES, Progress.mode(null, false), "a log file gets whole lines");
    assertEquals(Progress.Mode.LINES, Progress.mode(" ", false));
    assertEquals(Progress.Mode.OFF, Progress.mode("off", true));
    assertEquals(Progress.Mode.LINES, Progress.mode("Lines", true));
    assertEquals(Progress.Mode.BAR, Progress.mode("bar", false));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Progress.mode("quiet", true));
    assertTrue(e.getMessage().contains("PROVIDE_PROGRESS=quiet: use bar, lines or off"), e.getMessage());
  }
}
