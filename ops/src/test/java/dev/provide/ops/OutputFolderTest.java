package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFolderTest {
  @TempDir Path dir;

  @Test
  void aFailedCommandRemovesTheFoldersItMadeWithTheirContents() throws IOException {
    Path out = dir.resolve("a/b/c");
    try (OutputFolder f = OutputFolder.create(out)) {
      Files.writeString(f.path().resolve("half.txt"), "x");
    }
    assertFalse(Files.exists(dir.resolve("a")), "the parents it made go too");
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void aFinishedCommandKeepsItsFolderAndAnEarlierFolderIsNeverRemoved() throws IOException {
    Path out = dir.resolve("done");
    try (OutputFolder f = OutputFolder.create(out)) {
      Files.writeString(f.path().resolve("all.txt"), "x");
      f.done();
    }
    assertTrue(Files.exists(out.resolve("all.txt")));
    try (OutputFolder f = OutputFolder.create(out)) {
      Files.writeString(f.path().resolve("more.txt"), "y");
    }
    assertTrue(Files.exists(out.resolve("all.txt")) && Files.exists(out.resolve("more.txt")), "it existed before: left as it is");
  }

  @Test
  void aFileWhereTheFolderShouldBeIsNamed() throws IOException {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    IOException e = assertThrows(IOException.class, () -> OutputFolder.create(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("is a file"), e.getMessage());
  }
}
