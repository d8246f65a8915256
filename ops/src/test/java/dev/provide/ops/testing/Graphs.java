package dev.provide.ops.testing;

import dev.provide.ops.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Runs small graphs in tests: build from placeholders, initialise, fetch outputs as floats. */
public final class Graphs {
  private Graphs() {}

  /** A fetched output: its values and shape. */
  public record Fetched(float[] values, long[] shape) {}

  /** Builds the outputs from placeholders of the given shapes, feeds the values and fetches. */
  public static List<Fetched> run(
      List<float[]> values,
      List<long[]> shapes,
      BiFunction<Ops, List<Operand<TFloat32>>, List<Operand<?>>> build) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> inputs = new ArrayList<>();
      List<Shape> s = new ArrayList<>();
      for (long[] shape : shapes) {
        s.add(Shape.of(shape));
        inputs.add(tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape))));
      }
      List<Operand<?>> outputs = build.apply(tf, inputs);
      try (Session session = new Session(g)) {
        session.initialize();
        try (Feeds feeds = new Feeds()) {
          Session.Runner runner = feeds.all(session.runner(), inputs, values, s);
          outputs.forEach(runner::fetch);
          try (Result r = runner.run()) {
            List<Fetched> out = new ArrayList<>();
            for (int i = 0; i < outputs.size(); i++) {
              TFloat32 t = (TFloat32) r.get(i);
              out.add(new Fetched(Tensors.toFloats(t), t.shape().asArray()));
            }
            return out;
          }
        }
      }
    }
  }

  /** Uniform random values in [lo, hi). */
  public static float[] uniform(Random rnd, int n, double lo, double hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
    return v;
  }

  /** Standard normal random values times {@code scale}. */
  public static float[] normal(Random rnd, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * rnd.nextGaussian());
    }
    return v;
  }
}
