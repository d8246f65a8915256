package dev.provide.train.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code provide} command line: one subcommand per job. */
@Command(
    name = "provide",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Unsupervised video decomposition by spatio-temporal iterative inference (PROVIDE),",
      "on TensorFlow Java. Run 'provide <command> --help' for the options of a command."
    },
    subcommands = {DataCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ExportCommand.class, RenderCommand.class, BenchCommand.class, DemoCommand.class, GoldenCommand.class, ShipCommand.class, InfoCommand.class, CommandLine.HelpCommand.class})
public final class ProvideCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    dev.provide.ops.NativeLogLevel.apply();
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ProvideCommand());
    cl.setExecutionExceptionHandler(new UserErrors());
    giveVersion(cl);
    readableHelp(cl);
    SpaceWrappingHelp.install(cl);
    return cl;
  }

  /**
   * Descriptions are written as arrays of source lines; picocli would print each as its own line
   * and wrap it again, cutting sentences. Consecutive lines are joined into paragraphs that
   * picocli wraps at the terminal's width (80 columns without a terminal).
   */
  private static void readableHelp(CommandLine cl) {
    CommandLine.Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
    usage.description(paragraphs(usage.description()));
    usage.autoWidth(true);
    cl.getSubcommands().values().forEach(ProvideCommand::readableHelp);
  }

  /** Joins lines into paragraphs; an empty line, or one that starts with a space or "-", begins a new one. */
  static String[] paragraphs(String[] lines) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder p = null;
    for (String line : lines) {
      boolean starts = p == null || line.isEmpty() || line.startsWith(" ") || line.startsWith("-") || p.length() == 0;
      if (starts) {
        if (p != null) {
          out.add(p.toString());
        }
        p = new StringBuilder(line);
      } else {
        p.append(' ').append(line.strip());
      }
    }
    if (p != null) {
      out.add(p.toString());
    }
    return out.toArray(new String[0]);
  }

  /** Every command's {@code --version} prints the project's version, not nothing. */
  private static void giveVersion(CommandLine cl) {
    if (cl.getCommandSpec().versionProvider() == null) {
      cl.getCommandSpec().versionProvider(new VersionProvider());
    }
    cl.getSubcommands().values().forEach(ProvideCommand::giveVersion);
  }
}
