package dev.provide.train.data;

import java.util.SplittableRandom;

/**
 * Bouncing Balls physics (the benchmark of R-NEM): N balls of random mass and one common radius
 * in the unit square, elastic collisions between balls (momentum and kinetic energy conserved)
 * and with the walls, several sub-steps per frame.
 *
 * <p>Positions and velocities are in box units (the box is [0, 1] x [0, 1]); velocities are per
 * frame. State is double precision; rendering happens elsewhere ({@link BallsRenderer}).
 */
public final class BallsSimulator {
  private final int n;
  private final double radius;
  private final int substeps;
  private final double[] x;
  private final double[] y;
  private final double[] vx;
  private final double[] vy;
  private final double[] mass;
  private int wallBouncesInLastSubstep;

  /** The physical parameters of a simulation. */
  public record Physics(double radius, double minMass, double maxMass, double minSpeed, double maxSpeed, int substeps) {
    /**
     * Defaults close to the data of R-NEM, which uses the generator of Sutskever's RTRBM code: balls of
     * radius 1.2 in a box of side 10 (0.12 of the frame), masses 1..3, 2-4% of the box per frame.
     */
    public static Physics defaults() {
      return new Physics(0.12, 1.0, 3.0, 0.02, 0.04, 8);
    }

    /** Checks the values, with messages that name the bad one. */
    public Physics {
      if (!(radius > 0 && radius < 0.5)) {
        throw new IllegalArgumentException("ball radius must be in (0, 0.5) of the box, got " + radius);
      }
      if (!(minMass > 0 && maxMass >= minMass)) {
        throw new IllegalArgumentException("masses must satisfy 0 < min <= max, got " + minMass + ".." + maxMass);
      }
      if (!(minSpeed >= 0 && maxSpeed >= minSpeed)) {
        throw new IllegalArgumentException("speeds must satisfy 0 <= min <= max, got " + minSpeed + ".." + maxSpeed);
      }
      if (substeps < 1) {
        throw new IllegalArgumentException("at least one physics sub-step per frame, got " + substeps);
      }
      if (maxSpeed / substeps > radius) {
        throw new IllegalArgumentException(
            "a ball would move more than its radius in one sub-step; raise substeps or lower the speed");
      }
    }
  }

  /**
   * Places {@code balls} balls at random without overlap and gives them random masses and
   * velocities.
   *
   * @throws IllegalArgumentException when the balls do not fit in the box
   */
  public BallsSimulator(int balls, Physics physics, SplittableRandom rnd) {
    if (balls < 1) {
      throw new IllegalArgumentException("at least one ball, got " + balls);
    }
    this.n = balls;
    this.radius = physics.radius();
    this.substeps = physics.substeps();
    x = new double[n];
    y = new double[n];
    vx = new double[n];
    vy = new double[n];
    mass = new double[n];
    for (int i = 0; i < n; i++) {
      boolean placed = false;
      for (int attempt = 0; attempt < 10_000 && !placed; attempt++) {
        double px = radius + rnd.nextDouble() * (1 - 2 * radius);
        double py = radius + rnd.nextDouble() * (1 - 2 * radius);
        placed = true;
        for (int j = 0; j < i; j++) {
          double dx = px - x[j], dy = py - y[j];
          if (dx * dx + dy * dy < 4 * radius * radius * 1.0001) {
            placed = false;
            break;
          }
        }
        if (placed) {
          x[i] = px;
          y[i] = py;
        }
      }
      if (!placed) {
        throw new IllegalArgumentException(
            balls + " balls of radius " + radius + " do not fit in the box without overlap");
      }
      mass[i] = physics.minMass() + rnd.nextDouble() * (physics.maxMass() - physics.minMass());
      double speed = physics.minSpeed() + rnd.nextDouble() * (physics.maxSpeed() - physics.minSpeed());
      double angle = rnd.nextDouble() * 2 * Math.PI;
      vx[i] = speed * Math.cos(angle);
      vy[i] = speed * Math.sin(angle);
    }
  }

  /** Advances one frame (all its sub-steps). */
  public void step() {
    for (int s = 0; s < substeps; s++) {
      substep();
    }
  }

  /** Advances one sub-step: move, then resolve ball-ball and wall contacts. */
  void substep() {
    double dt = 1.0 / substeps;
    for (int i = 0; i < n; i++) {
      x[i] += vx[i] * dt;
      y[i] += vy[i] * dt;
    }
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        collide(i, j);
      }
    }
    wallBouncesInLastSubstep = 0;
    for (int i = 0; i < n; i++) {
      if (x[i] < radius && vx[i] < 0 || x[i] > 1 - radius && vx[i] > 0) {
        vx[i] = -vx[i];
        wallBouncesInLastSubstep++;
      }
      if (y[i] < radius && vy[i] < 0 || y[i] > 1 - radius && vy[i] > 0) {
        vy[i] = -vy[i];
        wallBouncesInLastSubstep++;
      }
      // Keep centres inside the reachable area (a reflection, so no energy changes).
      x[i] = reflectInto(x[i]);
      y[i] = reflectInto(y[i]);
    }
  }

  private double reflectInto(double p) {
    if (p < radius) {
      return 2 * radius - p;
    }
    if (p > 1 - radius) {
      return 2 * (1 - radius) - p;
    }
    return p;
  }

  /**
   * An elastic collision of two overlapping balls that approach each other: the velocity
   * components along the line of centres are exchanged as for a 1D elastic collision of the two
   * masses; the tangential components stay. Conserves momentum and kinetic energy exactly (up to
   * rounding).
   */
  private void collide(int i, int j) {
    double dx = x[j] - x[i], dy = y[j] - y[i];
    double dist2 = dx * dx + dy * dy;
    if (dist2 >= 4 * radius * radius || dist2 == 0) {
      return;
    }
    double dist = Math.sqrt(dist2);
    double nx = dx / dist, ny = dy / dist;
    double approach = (vx[i] - vx[j]) * nx + (vy[i] - vy[j]) * ny; // > 0: closing in
    if (approach <= 0) {
      return;
    }
    double impulse = 2 * approach / (1 / mass[i] + 1 / mass[j]);
    vx[i] -= impulse / mass[i] * nx;
    vy[i] -= impulse / mass[i] * ny;
    vx[j] += impulse / mass[j] * nx;
    vy[j] += impulse / mass[j] * ny;
  }

  /** Total kinetic energy, sum m v^2 / 2. */
  public double kineticEnergy() {
    double e = 0;
    for (int i = 0; i < n; i++) {
      e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i]);
    }
    return e;
  }

  /** Total momentum {px, py}. */
  public double[] momentum() {
    double px = 0, py = 0;
    for (int i = 0; i < n; i++) {
      px += mass[i] * vx[i];
      py += mass[i] * vy[i];
    }
    return new double[] {px, py};
  }

  /** How many wall reflections the last sub-step had (momentum changes only through these). */
  int wallBouncesInLastSubstep() {
    return wallBouncesInLastSubstep;
  }

  /** Number of balls. */
  public int balls() {
    return n;
  }

  /** Ball radius in box units. */
  public double radius() {
    return radius;
  }

  /** Centre x of ball i in box units. */
  public double x(int i) {
    return x[i];
  }

  /** Centre y of ball i in box units. */
  public double y(int i) {
    return y[i];
  }

  /** Velocity x of ball i, box units per frame. */
  public double vx(int i) {
    return vx[i];
  }

  /** Velocity y of ball i, box units per frame. */
  public double vy(int i) {
    return vy[i];
  }

  /** Mass of ball i. */
  public double mass(int i) {
    return mass[i];
  }
}
