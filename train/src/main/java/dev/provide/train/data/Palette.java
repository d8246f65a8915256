package dev.provide.train.data;

/** Colours for balls and for showing segmentations. */
public final class Palette {
  private Palette() {}

  /** The paper's ball colours (RGB), by ball id 1..8. */
  public static final int[][] BALLS = {
    {166, 206, 227}, {31, 120, 180}, {178, 223, 138}, {51, 160, 44},
    {251, 154, 153}, {227, 26, 28}, {253, 191, 111}, {255, 127, 0}
  };

  /** The RGB colour of ball {@code id} (1-based) under a variant; greyscale variants use white. */
  public static int[] ballColour(Variant variant, int id) {
    switch (variant) {
      case COLOUR:
        return BALLS[(id - 1) % BALLS.length];
      case FOUR_COLOURS:
        return BALLS[(id - 1) % 4];
      default:
        return new int[] {255, 255, 255};
    }
  }

  /** Grey level of the curtain. */
  public static final int CURTAIN_GREY = 128;
}
