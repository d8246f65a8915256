package dev.provide.export;

import java.nio.file.Path;

/** Opens the shipped model through the library and decomposes a black clip (for {@link NativeLogLevelTest}). */
public final class NativeLogLevelMain {
  private NativeLogLevelMain() {}

  public static void main(String[] args) throws Exception {
    try (VideoDecomposer m = VideoDecomposer.open(Path.of(args[0]))) {
      int size = m.config().imageSize();
      m.decompose(new float[2 * size * size * 3], 2);
    }
    System.out.println("decomposed");
  }
}
