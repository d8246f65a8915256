package dev.provide.graph;

/**
 * Several independent starts of inference on the first frames of a clip. The first frame is
 * refined from identical slots, told apart only by the sampled noise, and a start whose noise puts
 * two slots on one object keeps that mistake through the whole clip (the temporal state carries
 * it). With restarts, the first {@code frames} frames are decomposed {@code count} times with
 * different noise and each sequence continues from the start under which the model finds those
 * frames most likely (the highest summed log p(x | z)); no labels are used. Start 0 is the plain
 * decomposition, so a sequence changes only where another start explains its frames better.
 *
 * @param count starts, 1 = off
 * @param frames the leading frames each start decomposes and is judged on
 */
public record Restarts(int count, int frames) {
  /** No restarts: a single start. */
  public static final Restarts NONE = new Restarts(1, 1);

  public Restarts {
    if (count < 1) {
      throw new IllegalArgumentException("restarts must be >= 1 (1 = off), got " + count);
    }
    if (frames < 1) {
      throw new IllegalArgumentException("restart frames must be >= 1, got " + frames);
    }
  }

  /** Whether more than one start runs. */
  public boolean enabled() {
    return count > 1;
  }

  /** The noise seed of start {@code r} (start 0 keeps {@code seed}). */
  public static long seed(long seed, int r) {
    return r == 0 ? seed : seed ^ (r * 0x9E3779B97F4A7C15L);
  }
}
