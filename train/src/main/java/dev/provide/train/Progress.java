package dev.provide.train;

import java.text.DecimalFormat;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long jobs on stderr, as the environment variable {@value #ENV} asks: {@code bar}, a
 * bar redrawn in place (the default on a terminal); {@code lines}, one whole line every
 * {@link #LOG_INTERVAL_MILLIS} ms and at the end (the default when stderr is a log file, where a
 * redrawn bar piles up as one endless line); {@code off}, nothing (the tests run so). Lines may be
 * long: without a terminal the library cannot learn a width and would cut the loss terms at 80
 * characters.
 */
public final class Progress {
  /** The environment variable that chooses how progress is shown. */
  public static final String ENV = "PROVIDE_PROGRESS";

  /** How progress is shown. */
  public enum Mode { BAR, LINES, OFF }

  /** Longest line drawn when stderr is not a terminal. */
  private static final int LOG_LINE_LENGTH = 160;

  /** Time between two lines of {@link Mode#LINES}. */
  static final int LOG_INTERVAL_MILLIS = 30_000;

  /**
   * The mode for a value of {@value #ENV} (null or blank: the default for {@code terminal}).
   *
   * @throws IllegalArgumentException for another value, naming the ones allowed
   */
  public static Mode mode(String value, boolean terminal) {
    if (value == null || value.isBlank()) {
      return terminal ? Mode.BAR : Mode.LINES;
    }
    try {
      return Mode.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV + "=" + value + ": use bar, lines or off");
    }
  }

  private Progress() {}

  /** A bar redrawn every half second; a {@code max} below 0 shows no total until a later maxHint. */
  public static ProgressBar bar(String task, long max, String unit) {
    return bar(task, max, unit, 500);
  }

  /** A bar redrawn every {@code updateMillis} milliseconds. */
  public static ProgressBar bar(String task, long max, String unit, int updateMillis) {
    return bar(task, max, unit, updateMillis, 0, Duration.ZERO);
  }

  /**
   * A bar for work that continues earlier work (a resumed training run): it starts at {@code done}
   * with {@code elapsed} already spent, and its speed counts only what this process does.
   */
  public static ProgressBar bar(String task, long max, String unit, int updateMillis, long done, Duration elapsed) {
    return bar(task, max, unit, updateMillis, done, elapsed, mode(System.getenv(ENV), System.console() != null));
  }

  /**
   * Progress of a worker that is not the chief of a training cluster: one line every
   * {@link #LOG_INTERVAL_MILLIS} ms even on a terminal (the chief draws the bar), or nothing when
   * {@value #ENV} is {@code off}.
   */
  public static ProgressBar workerLines(String task, long max, String unit, long done, Duration elapsed) {
    Mode mode = mode(System.getenv(ENV), System.console() != null) == Mode.OFF ? Mode.OFF : Mode.LINES;
    return bar(task, max, unit, LOG_INTERVAL_MILLIS, done, elapsed, mode);
  }

  private static ProgressBar bar(String task, long max, String unit, int updateMillis, long done, Duration elapsed, Mode mode) {
    ProgressBarBuilder builder = new ProgressBarBuilder().startsFrom(done, elapsed);
    if (mode == Mode.LINES) {
      builder.setConsumer(new DelegatingProgressBarConsumer(System.err::println, LOG_LINE_LENGTH));
      updateMillis = Math.max(updateMillis, LOG_INTERVAL_MILLIS);
    } else if (mode == Mode.OFF) {
      builder.setConsumer(new DelegatingProgressBarConsumer(line -> {}, LOG_LINE_LENGTH));
      updateMillis = Math.max(updateMillis, LOG_INTERVAL_MILLIS);
    }
    return builder
        .setTaskName(task)
        .setInitialMax(max)
        .setUnit(" " + unit, 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(updateMillis)
        .showSpeed(new DecimalFormat("0.0", java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT))) // 0.7 steps/s, not .7
        .build();
  }
}
