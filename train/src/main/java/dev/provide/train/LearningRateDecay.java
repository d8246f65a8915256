package dev.provide.train;

/**
 * A linear decay of the learning rate at the end of a run: the base rate until the fraction
 * {@code from} of the run's budget is spent, then a straight line down to {@code endFactor} times
 * the base rate at the end. The budget is the run's minutes when it has a time limit (so the
 * decay ends when the time does), otherwise its step limit.
 *
 * @param from the fraction of the budget at which the decay starts, in [0, 1]; 0 decays from the first
 *     step, 1 means no decay
 * @param endFactor the rate at the end of the run as a fraction of the base rate, in (0, 1]
 */
public record LearningRateDecay(double from, double endFactor) {
  /** No decay: the base rate throughout. */
  public static final LearningRateDecay NONE = new LearningRateDecay(1, 1);

  /** Validates. */
  public LearningRateDecay {
    if (!(from >= 0 && from <= 1)) {
      throw new IllegalArgumentException("the decay must start at a fraction of the run in [0, 1], got " + from);
    }
    if (!(endFactor > 0 && endFactor <= 1)) {
      throw new IllegalArgumentException("the final learning-rate factor must be in (0, 1], got " + endFactor);
    }
  }

  /**
   * The factor to multiply the base rate by when the fraction {@code progress} of the budget is
   * spent (clamped to [0, 1]).
   */
  public double factor(double progress) {
    double p = Math.min(1, Math.max(0, progress));
    if (from >= 1 || p <= from) {
      return 1;
    }
    return 1 - (1 - endFactor) * (p - from) / (1 - from);
  }
}
