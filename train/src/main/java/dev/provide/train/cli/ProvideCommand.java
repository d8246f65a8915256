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
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ProvideCommand());
    cl.setExecutionExceptionHandler(new UserErrors());
    giveVersion(cl);
    return cl;
  }

  /** Every command's {@code --version} prints the project's version, not nothing. */
  private static void giveVersion(CommandLine cl) {
    if (cl.getCommandSpec().versionProvider() == null) {
      cl.getCommandSpec().versionProvider(new VersionProvider());
    }
    cl.getSubcommands().values().forEach(ProvideCommand::giveVersion);
  }
}
