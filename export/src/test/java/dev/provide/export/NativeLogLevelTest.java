package dev.provide.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An application that embeds the library gets TensorFlow's errors only, not its info lines, and
 * a level the user sets wins (each case in a fresh JVM: TensorFlow reads the level once).
 */
class NativeLogLevelTest {
  /** Info lines TensorFlow prints at its own default level while it starts. */
  private static final String INFO = "This TensorFlow binary is optimized";

  @Test
  void theLibraryQuietsTensorFlowsInfoLinesUnlessTheUserAsksForThem() throws Exception {
    String quiet = run(null);
    assertTrue(quiet.contains("decomposed"), quiet);
    assertFalse(quiet.contains(INFO), "the library left TensorFlow's info lines on:\n" + quiet);
    String chatty = run("0");
    assertTrue(chatty.contains("decomposed"), chatty);
    assertTrue(chatty.contains(INFO), "the user's TF_CPP_MIN_LOG_LEVEL=0 did not win:\n" + chatty);
  }

  private static String run(String level) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), NativeLogLevelMain.class.getName(), Path.of("..", "testdata", "model").toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL"); // the tests' own setting
    if (level != null) {
      pb.environment().put("TF_CPP_MIN_LOG_LEVEL", level);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child did not finish");
    assertEquals(0, p.exitValue(), out);
    return out;
  }
}
