package dev.provide.graph;

import java.util.Locale;

/** The model and its two baselines, as modes of one graph (MODEL.md section 7). */
public enum Mode {
  /**
   * The spatio-temporal model: 2D-LSTM with temporal state, conditional prior, temporally
   * conditioned decoder, decreasing refinement schedule.
   */
  PROVIDE,
  /**
   * Each frame alone: no temporal state, N(0, I) prior, decoder on z only, the same R steps on
   * every frame, leave-one-out likelihood input on.
   */
  IODINE,
  /**
   * IODINE run along the video: each frame's posterior starts from the previous frame's final
   * posterior, R steps on the first frame and the schedule's floor on later ones.
   */
  SEQ_IODINE;

  /** Parses "provide", "iodine", "seq-iodine". */
  public static Mode parse(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (Mode m : values()) {
      if (m.name().equals(t)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + s + "': use provide, iodine or seq-iodine");
  }

  /** The command-line name. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
