package dev.provide.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BallsSimulatorTest {
  @Test
  void energyIsConservedAndBallsStayInTheBoxFor1000Frames() {
    for (int balls : new int[] {1, 4, 8}) {
      BallsSimulator sim = new BallsSimulator(balls, BallsSimulator.Physics.defaults(), new SplittableRandom(balls));
      double e0 = sim.kineticEnergy();
      for (int t = 0; t < 1000; t++) {
        sim.step();
        for (int i = 0; i < balls; i++) {
          assertTrue(sim.x(i) >= sim.radius() - 1e-12 && sim.x(i) <= 1 - sim.radius() + 1e-12, "x out of box");
          assertTrue(sim.y(i) >= sim.radius() - 1e-12 && sim.y(i) <= 1 - sim.radius() + 1e-12, "y out of box");
        }
      }
      assertEquals(e0, sim.kineticEnergy(), 1e-9 * e0, balls + " balls");
    }
  }

  @Test
  void momentumIsConservedExceptAtWalls() {
    BallsSimulator sim = new BallsSimulator(6, BallsSimulator.Physics.defaults(), new SplittableRandom(5));
    int ballCollisionSteps = 0;
    for (int s = 0; s < 8000; s++) {
      double[] before = sim.momentum();
      double eBefore = sim.kineticEnergy();
      sim.substep();
      double[] after = sim.momentum();
      if (sim.wallBouncesInLastSubstep() == 0) {
        assertEquals(before[0], after[0], 1e-12);
        assertEquals(before[1], after[1], 1e-12);
      }
      if (sim.kineticEnergy() != eBefore) {
        ballCollisionSteps++;
      }
    }
    // Ball-ball collisions happened, so conservation was really exercised.
    assertTrue(ballCollisionSteps > 0);
  }

  @Test
  void collisionsExchangeMomentumBetweenBalls() {
    // Walls keep every ball's speed; only ball-ball collisions change it.
    BallsSimulator sim = new BallsSimulator(4, BallsSimulator.Physics.defaults(), new SplittableRandom(9));
    double[] speeds0 = speeds(sim);
    boolean changed = false;
    for (int t = 0; t < 1000 && !changed; t++) {
      sim.step();
      double[] s = speeds(sim);
      for (int i = 0; i < 4; i++) {
        changed |= Math.abs(s[i] - speeds0[i]) > 1e-9;
      }
    }
    assertTrue(changed, "no ball-ball collision in 1000 frames");
  }

  private static double[] speeds(BallsSimulator sim) {
    double[] out = new double[sim.balls()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.hypot(sim.vx(i), sim.vy(i));
    }
    return out;
  }

  @Test
  void rejectsImpossibleSettings() {
    assertThrows(IllegalArgumentException.class, () -> new BallsSimulator(0, BallsSimulator.Physics.defaults(), new SplittableRandom(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new BallsSimulator(200, new BallsSimulator.Physics(0.2, 1, 2, 0.01, 0.02, 4), new SplittableRandom(1)));
    assertThrows(IllegalArgumentException.class, () -> new BallsSimulator.Physics(0.6, 1, 2, 0.01, 0.02, 4));
    assertThrows(IllegalArgumentException.class, () -> new BallsSimulator.Physics(0.05, 1, 2, 0.01, 0.5, 1));
  }
}
