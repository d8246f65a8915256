package dev.provide.train.data;

import java.util.Locale;

/** The Bouncing Balls variants of the paper and of R-NEM. */
public enum Variant {
  /** White balls on black; stored with one channel, the model sees greyscale. */
  BINARY("binary", 1),
  /** Each ball painted by its id with {@link Palette#BALLS}. */
  COLOUR("colour", 3),
  /** Several balls share one of the first four palette colours (for 6-8 balls). */
  FOUR_COLOURS("four-colours", 3),
  /**
   * White balls on black passing behind a static grey vertical band. Ground truth marks the
   * curtain as its own object, with id (number of balls + 1).
   */
  CURTAIN("curtain", 1);

  private final String label;
  private final int channels;

  Variant(String label, int channels) {
    this.label = label;
    this.channels = channels;
  }

  /** The name used on the command line and in the data files. */
  public String label() {
    return label;
  }

  /** Channels stored per pixel: 1 for greyscale variants, 3 for colour ones. */
  public int channels() {
    return channels;
  }

  /** Whether the curtain is drawn. */
  public boolean hasCurtain() {
    return this == CURTAIN;
  }

  /** Parses a command-line or file label (also accepts "color"). */
  public static Variant parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT).replace("color", "colour").replace('_', '-');
    for (Variant v : values()) {
      if (v.label.equals(t)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown variant '" + s + "': use binary, colour, four-colours or curtain");
  }

  @Override
  public String toString() {
    return label;
  }
}
