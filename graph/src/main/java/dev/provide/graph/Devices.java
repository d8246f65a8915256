package dev.provide.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** Which devices TensorFlow can use here, and session settings for them. */
public final class Devices {
  private static Boolean gpu;

  private Devices() {}

  /**
   * Whether an op pinned to the first GPU runs without soft placement. False with the CPU natives,
   * or with the GPU natives on a machine without a GPU or without matching CUDA libraries.
   */
  public static synchronized boolean gpuAvailable() {
    if (gpu == null) {
      gpu = probeGpu(0);
    }
    return gpu;
  }

  /** Whether GPU {@code index} (counting from 0) runs an op pinned to it; false without a GPU. */
  public static synchronized boolean gpuAvailable(int index) {
    return index == 0 ? gpuAvailable() : gpuAvailable() && probeGpu(index);
  }

  private static boolean probeGpu(int index) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(org.tensorflow.DeviceSpec.newBuilder().deviceType(org.tensorflow.DeviceSpec.DeviceType.GPU).deviceIndex(index).build());
      var y = tf.math.add(tf.constant(1f), tf.constant(2f));
      ConfigProto config = ConfigProto.newBuilder().setAllowSoftPlacement(false).build();
      try (Session s = new Session(g, config);
          Result r = s.runner().fetch(y).run()) {
        return ((TFloat32) r.get(0)).getFloat() == 3f;
      }
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The devices a session can use, for display. */
  public static List<String> list() {
    List<String> out = new ArrayList<>();
    out.add("CPU");
    if (gpuAvailable()) {
      out.add("GPU:0");
    }
    return out;
  }

  /**
   * A session configuration.
   *
   * @param useGpu let TensorFlow place ops on the GPU (when there is one)
   * @param intraOpThreads threads inside one op, 0 = TensorFlow's default (all cores)
   * @param interOpThreads ops run in parallel, 0 = TensorFlow's default
   */
  public static ConfigProto sessionConfig(boolean useGpu, int intraOpThreads, int interOpThreads) {
    return sessionConfig(useGpu, intraOpThreads, interOpThreads, false, false);
  }

  /**
   * A session configuration with the speed options.
   *
   * @param bfloat16 oneDNN's automatic mixed precision: eligible float32 ops run in bfloat16 on
   *     CPUs with AVX512_BF16 (Grappler rewrite; results differ from float32 in the third digit)
   * @param xla XLA JIT compilation of clusters of ops (global_jit_level ON_1). TensorFlow 2.18 honours
   *     it on a GPU; on a CPU only when TF_XLA_FLAGS=--tf_xla_cpu_global_jit is set (docs/PERFORMANCE.md)
   */
  public static ConfigProto sessionConfig(boolean useGpu, int intraOpThreads, int interOpThreads, boolean bfloat16, boolean xla) {
    return sessionConfig(useGpu, intraOpThreads, interOpThreads, bfloat16, xla, 1);
  }

  /**
   * A session configuration with {@code cpuDevices} CPU devices (for {@link Towers} on a CPU:
   * TensorFlow makes one device per count, all sharing the process's threads).
   */
  public static ConfigProto sessionConfig(
      boolean useGpu, int intraOpThreads, int interOpThreads, boolean bfloat16, boolean xla, int cpuDevices) {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException("thread counts must be >= 0 (0 = TensorFlow's default)");
    }
    ConfigProto.Builder b =
        ConfigProto.newBuilder()
            .setAllowSoftPlacement(true)
            .setIntraOpParallelismThreads(intraOpThreads)
            .setInterOpParallelismThreads(interOpThreads);
    if (cpuDevices > 1) {
      b.putDeviceCount("CPU", cpuDevices);
    }
    if (!useGpu) {
      b.putDeviceCount("GPU", 0);
    } else {
      b.getGpuOptionsBuilder().setAllowGrowth(true);
    }
    if (bfloat16) {
      b.getGraphOptionsBuilder().getRewriteOptionsBuilder()
          .setAutoMixedPrecisionOnednnBfloat16(org.tensorflow.proto.RewriterConfig.Toggle.ON);
    }
    if (xla) {
      b.getGraphOptionsBuilder().getOptimizerOptionsBuilder()
          .setGlobalJitLevel(org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1);
    }
    return b.build();
  }
}
