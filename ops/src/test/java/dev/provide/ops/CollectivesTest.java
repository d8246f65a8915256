package dev.provide.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The fused collectives, run by two replicas on two CPU devices of one session (the same kernels
 * that reduce across processes over gRPC), against sums computed here.
 */
class CollectivesTest {
  private static final Collectives.Group PAIR = new Collectives.Group(2, 7, 30);

  /** Replica r's tensors: a [2, 3] matrix and a [4] vector, fed. */
  private static float[][] values(int replica) {
    float[] m = new float[6], v = new float[4];
    for (int i = 0; i < m.length; i++) {
      m[i] = (replica + 1) * 0.5f + i * (replica == 0 ? 1.25f : -3f);
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = replica == 0 ? i * i : 1f / (i + 1);
    }
    return new float[][] {m, v};
  }

  @Test
  void meanAndSumOfSeveralTensorsInOneCollectiveEqualTheElementwiseMeanAndSum() {
    for (boolean mean : new boolean[] {true, false}) {
      try (Graph g = new Graph()) {
        Ops root = Ops.create(g);
        List<Placeholder<TFloat32>> feeds = new ArrayList<>();
        List<List<Operand<TFloat32>>> outs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          Ops tf = root.withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(r).build())
              .withSubScope("replica" + r);
          Placeholder<TFloat32> m = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 3)));
          Placeholder<TFloat32> v = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4)));
          feeds.add(m);
          feeds.add(v);
          outs.add(mean ? Collectives.mean(tf, List.of(m, v), PAIR, 1, null) : Collectives.sum(tf, List.of(m, v), PAIR, 1, null));
        }
        ConfigProto twoCpus = ConfigProto.newBuilder().putDeviceCount("CPU", 2).build();
        float[][] a = values(0), b = values(1);
        try (Session s = new Session(g, twoCpus);
            TFloat32 m0 = Tensors.floats(a[0], 2, 3);
            TFloat32 v0 = Tensors.floats(a[1], 4);
            TFloat32 m1 = Tensors.floats(b[0], 2, 3);
            TFloat32 v1 = Tensors.floats(b[1], 4);
            Result res = s.runner().feed(feeds.get(0), m0).feed(feeds.get(1), v0).feed(feeds.get(2), m1).feed(feeds.get(3), v1)
                .fetch(outs.get(0).get(0)).fetch(outs.get(0).get(1)).fetch(outs.get(1).get(0)).fetch(outs.get(1).get(1)).run()) {
          for (int r = 0; r < 2; r++) {
            TFloat32 m = (TFloat32) res.get(2 * r), v = (TFloat32) res.get(2 * r + 1);
            assertEquals(Shape.of(2, 3), m.shape());
            assertEquals(Shape.of(4), v.shape());
            assertArrayEquals(combine(a[0], b[0], mean), Tensors.toFloats(m), 1e-6f, "matrix, replica " + r);
            assertArrayEquals(combine(a[1], b[1], mean), Tensors.toFloats(v), 1e-6f, "vector, replica " + r);
          }
        }
      }
    }
  }

  @Test
  void aSumWithZerosFromTheOtherReplicaBroadcastsExactly() {
    try (Graph g = new Graph()) {
      Ops root = Ops.create(g);
      List<Operand<TInt64>> outs = new ArrayList<>();
      long[] chief = {Long.MAX_VALUE - 3, -42, 7};
      for (int r = 0; r < 2; r++) {
        Ops tf = root.withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(r).build());
        Operand<TInt64> x = r == 0 ? tf.constant(chief) : tf.zerosLike(tf.constant(chief));
        outs.add(Collectives.sum(tf, List.of(tf.identity(x)), PAIR, 2, null).get(0));
      }
      try (Session s = new Session(g, ConfigProto.newBuilder().putDeviceCount("CPU", 2).build());
          Result res = s.runner().fetch(outs.get(0)).fetch(outs.get(1)).run()) {
        for (int r = 0; r < 2; r++) {
          TInt64 t = (TInt64) res.get(r);
          for (int i = 0; i < chief.length; i++) {
            assertEquals(chief[i], t.getLong(i), "replica " + r);
          }
        }
      }
    }
  }

  @Test
  void badGroupsAndUnknownShapesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Collectives.Group(0, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> new Collectives.Group(2, 1, -1));
    assertThrows(IllegalArgumentException.class, () -> new Collectives.Group(2, 1, Float.NaN));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> unknown = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Collectives.mean(tf, List.of(unknown), PAIR, 1, null));
      assertEquals(true, e.getMessage().contains("static shapes"), e.getMessage());
    }
  }

  private static float[] combine(float[] a, float[] b, boolean mean) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = mean ? (a[i] + b[i]) / 2 : a[i] + b[i];
    }
    return out;
  }
}
