package dev.provide.train.cli;

import org.tensorflow.exceptions.TensorFlowException;

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
      cl.getErr().println(cl.getColorScheme().errorText("provide " + cl.getCommandName() + ": " + describe(cause)));
      return BAD_INPUT;
    }
    if (cause instanceof TensorFlowException && isAboutFiles(cause.getMessage())) {
      String first = cause.getMessage().strip().lines().findFirst().orElse("");
      cl.getErr().println(cl.getColorScheme().errorText("provide " + cl.getCommandName() + ": " + first));
      return BAD_INPUT;
    }
    cl.getErr().println(cl.getColorScheme().stackTraceText(e));
    return 1;
  }

  /**
   * Whether a TensorFlow error is about a file rather than a bug: a damaged or missing checkpoint
   * ("Data loss", "not an sstable", "Unable to open table file", "Not found") or a full disk.
   */
  static boolean isAboutFiles(String message) {
    if (message == null) {
      return false;
    }
    return message.contains("Data loss") || message.contains("not an sstable") || message.contains("Unable to open table file")
        || message.contains("Not found:") || message.contains("No space left") || message.contains("Resource exhausted")
        || message.contains("Checksum does not match");
  }

  /**
   * The message of a bad-input error. The JDK's file-system exceptions carry only the path as
   * their message ("/nonexistent.json"): say what happened to it.
   */
  static String describe(Throwable e) {
    if (e instanceof java.nio.file.NoSuchFileException f) {
      return "no such file: " + f.getFile() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return "already exists: " + f.getFile();
    }
    if (e instanceof java.nio.file.AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof java.nio.file.NotDirectoryException f) {
      return "not a folder: " + f.getFile();
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getFile() + ": " + f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
