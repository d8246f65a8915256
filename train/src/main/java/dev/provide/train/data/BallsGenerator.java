package dev.provide.train.data;

import java.util.SplittableRandom;

/**
 * Generates Bouncing Balls sequences. Sequence {@code i} depends only on the base seed and
 * {@code i}, so the same settings give the same bytes whatever the thread count.
 */
public final class BallsGenerator {
  /** What to generate. */
  public record Settings(
      int minBalls,
      int maxBalls,
      Variant variant,
      int frames,
      int size,
      boolean antialias,
      BallsSimulator.Physics physics,
      long seed) {
    /** Validates once, with clear messages. */
    public Settings {
      if (minBalls < 1 || maxBalls < minBalls) {
        throw new IllegalArgumentException("ball count must be n or a range lo-hi with 1 <= lo <= hi, got " + minBalls + "-" + maxBalls);
      }
      if (maxBalls > 254 - (variant.hasCurtain() ? 1 : 0)) {
        throw new IllegalArgumentException("at most 253 balls (ids are stored as bytes)");
      }
      if (frames < 1) {
        throw new IllegalArgumentException("frames per sequence must be >= 1, got " + frames);
      }
      if (size < 4 || size > 1024) {
        throw new IllegalArgumentException("frame size must be in 4..1024, got " + size);
      }
    }

    /** Parses "4" or "6-8". */
    public static int[] parseBalls(String s) {
      String[] parts = s.trim().split("-");
      try {
        if (parts.length == 1) {
          int n = Integer.parseInt(parts[0]);
          return new int[] {n, n};
        }
        if (parts.length == 2) {
          return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new IllegalArgumentException("--balls takes a number (4) or a range (6-8), got '" + s + "'");
    }
  }

  private final Settings settings;
  private final BallsRenderer renderer;

  /** A generator for these settings. */
  public BallsGenerator(Settings settings) {
    this.settings = settings;
    this.renderer = new BallsRenderer(settings.size(), settings.variant(), settings.antialias());
  }

  /** The {@code index}-th sequence. */
  public ClipRecord sequence(long index) {
    long seqSeed = mix(settings.seed(), index);
    SplittableRandom rnd = new SplittableRandom(seqSeed);
    int balls = settings.minBalls() + rnd.nextInt(settings.maxBalls() - settings.minBalls() + 1);
    BallsSimulator sim = new BallsSimulator(balls, settings.physics(), rnd);
    int s = settings.size(), c = settings.variant().channels(), f = settings.frames();
    byte[] frames = new byte[f * s * s * c];
    byte[] ids = new byte[f * s * s];
    for (int t = 0; t < f; t++) {
      if (t > 0) {
        sim.step();
      }
      renderer.draw(sim, frames, t * s * s * c, ids, t * s * s);
    }
    int objects = balls + (settings.variant().hasCurtain() ? 1 : 0);
    return new ClipRecord(frames, ids, f, s, s, c, objects, settings.variant().label(), seqSeed);
  }

  /** SplitMix64 of the base seed and the index: independent streams per sequence. */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }
}
