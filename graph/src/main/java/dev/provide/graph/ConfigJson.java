package dev.provide.graph;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes {@link ModelConfig} as JSON (saved beside every checkpoint). */
public final class ConfigJson {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

  private ConfigJson() {}

  /** The configuration as pretty-printed JSON. */
  public static String toJson(ModelConfig c) {
    return GSON.toJson(c);
  }

  /**
   * Parses and validates a configuration.
   *
   * @throws IllegalArgumentException for malformed JSON, missing fields or invalid values
   */
  public static ModelConfig fromJson(String json) {
    ModelConfig c;
    try {
      c = GSON.fromJson(json, ModelConfig.class);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("malformed model configuration: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Gson wraps what the record's validating constructor throws.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IllegalArgumentException) {
          throw (IllegalArgumentException) t;
        }
      }
      throw e;
    }
    if (c == null) {
      throw new IllegalArgumentException("empty model configuration");
    }
    return c;
  }

  /** Writes the configuration to a file. */
  public static void write(ModelConfig c, Path file) throws IOException {
    Files.writeString(file, toJson(c), StandardCharsets.UTF_8);
  }

  /** Reads a configuration file. */
  public static ModelConfig read(Path file) throws IOException {
    try {
      return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
