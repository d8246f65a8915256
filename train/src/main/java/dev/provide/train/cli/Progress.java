package dev.provide.train.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars for long jobs (the progressbar library draws them on stderr). Without a terminal
 * (output redirected to a log file) the library cannot learn a width and would cut the line, with
 * the loss terms, at 80 characters, so the line is allowed to be long there.
 */
final class Progress {
  /** Longest line drawn when stderr is not a terminal. */
  private static final int LOG_LINE_LENGTH = 160;

  private Progress() {}

  static ProgressBar bar(String task, long max, String unit) {
    ProgressBarBuilder builder = new ProgressBarBuilder();
    if (System.console() == null) {
      builder.setMaxRenderedLength(LOG_LINE_LENGTH);
    }
    return builder
        .setTaskName(task)
        .setInitialMax(max)
        .setUnit(" " + unit, 1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .showSpeed()
        .build();
  }
}
