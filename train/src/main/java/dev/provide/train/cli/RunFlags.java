package dev.provide.train.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.provide.ops.PartialFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The flags a training run was started with, kept in its folder ({@value #FILE}) so that
 * {@code --resume} goes on with the same learning rate, warm-ups, batch, XLA setting and so on:
 * a flag given again on the resuming command line wins, every other one comes from the file.
 */
final class RunFlags {
  /** The file in the run folder. */
  static final String FILE = "train-flags.json";

  /** Flags that belong to one invocation, never saved or restored. */
  private static final Set<String> PER_INVOCATION = Set.of("--resume", "--help", "--version",
      // the cluster is where a run trains, not what it trains: a run can go on with other workers or alone
      "--local-workers", "--workers", "--task-index", "--collective-timeout", "--worker-threads");

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private record Saved(List<String> args) {}

  private RunFlags() {}

  /** The flags matched on a command line, as arguments ({@code --lr 5e-4 --xla ...}), by name. */
  static Map<String, List<String>> given(ParseResult parsed) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (OptionSpec o : parsed.matchedOptions()) {
      String name = o.longestName();
      if (PER_INVOCATION.contains(name) || o.usageHelp() || o.versionHelp()) {
        continue;
      }
      List<String> arg = new ArrayList<>();
      arg.add(name);
      List<String> values = o.originalStringValues();
      if (o.arity().max() > 0 && !values.isEmpty()) {
        arg.add(values.get(values.size() - 1));
      }
      out.put(name, arg);
    }
    return out;
  }

  /**
   * The given flags plus every other option that has a value (its default), so that a run's
   * saved flags do not change meaning when a later version changes a default: a resumed run goes
   * on with the defaults it started with.
   */
  static Map<String, List<String>> withDefaults(CommandSpec spec, Map<String, List<String>> given) {
    Map<String, List<String>> out = new LinkedHashMap<>(given);
    for (OptionSpec o : spec.options()) {
      String name = o.longestName();
      Object value = o.getValue();
      if (out.containsKey(name) || PER_INVOCATION.contains(name) || o.usageHelp() || o.versionHelp()
          || o.arity().max() == 0 || value == null) {
        continue;
      }
      out.put(name, List.of(name, String.valueOf(value)));
    }
    return out;
  }

  /** The flags as one argument list. */
  static List<String> asArgs(Map<String, List<String>> flags) {
    List<String> args = new ArrayList<>();
    flags.values().forEach(args::addAll);
    return args;
  }

  /** Writes the flags to the run folder, atomically. */
  static void save(Path runDir, Map<String, List<String>> flags) throws IOException {
    List<String> args = asArgs(flags);
    Path target = runDir.resolve(FILE);
    Path partial = PartialFiles.file(target);
    Files.writeString(partial, GSON.toJson(new Saved(args)), StandardCharsets.UTF_8);
    PartialFiles.publish(partial, target);
  }

  /**
   * Sets every option of {@code spec} that was not given on this command line but was saved in
   * the run folder to its saved value, and returns all the flags now in force (to be saved
   * again). Without a saved file (a run from before this file existed) nothing changes.
   *
   * @param given the flags given on this command line ({@link #given})
   * @param fresh makes a new, unparsed instance of the command, to parse the saved flags into
   */
  static Map<String, List<String>> restore(Path runDir, CommandSpec spec, Map<String, List<String>> given,
      Supplier<Object> fresh, List<String> restored) throws IOException {
    Map<String, List<String>> merged = new LinkedHashMap<>(given);
    Path file = runDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return merged;
    }
    ParseResult saved;
    try {
      Saved s = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Saved.class);
      if (s == null || s.args() == null) {
        throw new IllegalArgumentException(file + " holds no flags");
      }
      saved = new CommandLine(fresh.get()).parseArgs(s.args().toArray(String[]::new));
    } catch (JsonParseException | CommandLine.ParameterException e) {
      throw new IllegalArgumentException(file + " is not a valid list of training flags: " + e.getMessage(), e);
    }
    Map<String, List<String>> savedFlags = given(saved);
    for (OptionSpec o : saved.matchedOptions()) {
      String name = o.longestName();
      if (!savedFlags.containsKey(name) || merged.containsKey(name)) {
        continue;
      }
      spec.findOption(name).setValue(o.getValue());
      merged.put(name, savedFlags.get(name));
      restored.addAll(savedFlags.get(name));
    }
    return merged;
  }
}
