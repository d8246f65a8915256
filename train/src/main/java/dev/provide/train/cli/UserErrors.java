package dev.provide.train.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns the exceptions that mean "bad input" (bad arguments, unreadable or corrupt files) into
 * one clear line on stderr and exit status 2, instead of a stack trace. Anything else is a bug and
 * keeps its stack trace (exit status 1).
 */
final class UserErrors implements IExecutionExceptionHandler {
  /** Exit status for bad input. */
  static final int BAD_INPUT = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
    Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
    if (cause instanceof IllegalArgumentException
        || cause instanceof IOException
        || cause instanceof IllegalStateException) {
      cl.getErr().println(cl.getColorScheme().errorText("provide " + cl.getCommandName() + ": " + cause.getMessage()));
      return BAD_INPUT;
    }
    cl.getErr().println(cl.getColorScheme().stackTraceText(e));
    return 1;
  }
}
