package dev.provide.graph;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

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
      rejectUnknownFields(JsonParser.parseString(json), ModelConfig.class, "");
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

  /**
   * Fails on a field that the record has no component for (a misspelt option would otherwise be
   * ignored and take its default). Missing fields are allowed: files written before a field
   * existed read it as its default.
   */
  private static void rejectUnknownFields(JsonElement json, Class<?> type, String path) {
    if (!type.isRecord() || json == null || !json.isJsonObject()) {
      return;
    }
    Map<String, Class<?>> components =
        Arrays.stream(type.getRecordComponents()).collect(Collectors.toMap(RecordComponent::getName, RecordComponent::getType));
    JsonObject object = json.getAsJsonObject();
    for (String key : object.keySet()) {
      Class<?> component = components.get(key);
      if (component == null) {
        Set<String> known = new java.util.TreeSet<>(components.keySet());
        throw new IllegalArgumentException(
            "model configuration: unknown field '" + path + key + "' (known: " + String.join(", ", known) + ")");
      }
      rejectUnknownFields(object.get(key), component, path + key + ".");
    }
  }

  /** Writes the configuration to a file. */
  public static void write(ModelConfig c, Path file) throws IOException {
    dev.provide.ops.PartialFiles.writeString(file, toJson(c));
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
