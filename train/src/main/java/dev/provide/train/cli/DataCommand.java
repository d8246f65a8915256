package dev.provide.train.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code provide data ...}: make, import and look at video data sets. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Generate, import, inspect and show video data sets (TFRecord clip files).",
    subcommands = {
      DataGenerateCommand.class,
      DataImportCommand.class,
      DataInspectCommand.class,
      DataShowCommand.class,
      CommandLine.HelpCommand.class
    })
final class DataCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
