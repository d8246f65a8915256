package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartialFilesTest {
  @TempDir Path dir;

  @Test
  void leftoversOfOneTargetAreRemovedAndNothingElse() throws Exception {
    Path target = dir.resolve("train.tfrecord");
    Path leftFile = PartialFiles.file(target);
    Path leftFolder = PartialFiles.directory(target);
    Files.writeString(leftFolder.resolve("inside"), "x");
    Path other = PartialFiles.file(dir.resolve("val.tfrecord"));
    Path user = Files.writeString(dir.resolve(".train.tfrecord.notes"), "mine");
    assertEquals(2, PartialFiles.removeLeftovers(target));
    assertFalse(Files.exists(leftFile));
    assertFalse(Files.exists(leftFolder));
    assertTrue(Files.exists(other), "another target's partial file stays");
    assertTrue(Files.exists(user), "a file that is not a partial stays");
    assertEquals(0, PartialFiles.removeLeftovers(dir.resolve("missing").resolve("x")));
  }

  @Test
  void theExitHookIsCancelledOncePublished() throws Exception {
    Path target = dir.resolve("a.bin");
    Path partial = PartialFiles.file(target);
    Thread hook = PartialFiles.deleteOnExit(partial);
    PartialFiles.publish(partial, target);
    PartialFiles.keep(hook);
    // Cancelled: removing it again fails, so it is no longer registered.
    assertFalse(Runtime.getRuntime().removeShutdownHook(hook));
    hook.run(); // what it would do at exit: the published file is not the partial, so it stays
    assertTrue(Files.exists(target));
  }

  @Test
  void writeStringPublishesWholeFilesAndLeavesNoTemporary() throws Exception {
    Path target = dir.resolve("metrics.json");
    PartialFiles.writeString(target, "{\"a\": 1}");
    PartialFiles.writeString(target, "{\"a\": 2}");
    assertEquals("{\"a\": 2}", Files.readString(target));
    try (var files = Files.list(dir)) {
      assertEquals(java.util.List.of(target), files.toList(), "only the published file is left");
    }
  }
}
