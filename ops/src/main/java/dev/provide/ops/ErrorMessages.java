package dev.provide.ops;

/** Short, one-line descriptions of exceptions, for error messages that must stay on one line. */
public final class ErrorMessages {
  private ErrorMessages() {}

  /** The first line of the throwable's message, or its class's simple name when it has none. */
  public static String firstLine(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip().lines().findFirst().orElse("");
  }
}
