package dev.provide.train;

import java.text.DecimalFormat;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for long jobs (the progressbar library draws them on stderr). Without a terminal
 * (output redirected to a log file) the library cannot learn a width and would cut the line, with
 * the loss terms, at 80 characters, so the line is allowed to be long there.
 */
public final class Progress {
  /** Longest line drawn when stderr is not a terminal. */
  private static final int LOG_LINE_LENGTH = 160;

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
    ProgressBarBuilder builder = new ProgressBarBuilder().startsFrom(done, elapsed);
    if (System.console() == null) {
      builder.setMaxRenderedLength(LOG_LINE_LENGTH);
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
