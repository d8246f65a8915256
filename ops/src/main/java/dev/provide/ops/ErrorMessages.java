package dev.provide.ops;

/** Short, one-line descriptions of exceptions, for error messages that must stay on one line. */
public final class ErrorMessages {
  private ErrorMessages() {}

  /** The first line of the throwable's message, or its class's simple name when it has none. */
  public static String firstLine(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip().lines().findFirst().orElse("");
  }

  /**
   * The message of the innermost cause that has one: what went wrong underneath a wrapper such
   * as ImageIO's "I/O error writing PNG file!" (for example "No space left on device").
   */
  public static String innermost(Throwable t) {
    String found = firstLine(t);
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        found = firstLine(c);
      }
    }
    return found;
  }
}
