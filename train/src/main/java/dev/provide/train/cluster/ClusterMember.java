package dev.provide.train.cluster;

import dev.provide.graph.Replication;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * This process as one worker of a training cluster: its TensorFlow gRPC server, started once, and
 * sessions that run on it. The collectives of the training graph find the other workers through
 * the servers; the chief (worker 0) leads the collective group.
 *
 * <p>TensorFlow cannot stop a server ({@code Server.stop()} is not implemented), so a worker
 * ends by ending its process.
 */
public final class ClusterMember {
  /** The job name of every worker. */
  static final String JOB = "worker";
  /** Default seconds a collective waits for every worker (peers starting, the chief validating). */
  public static final float DEFAULT_TIMEOUT_SECONDS = 300;

  private final ClusterSpec spec;
  private final float timeoutSeconds;
  @SuppressWarnings("unused") // held so that the server lives as long as this member
  private final Server server;

  private ClusterMember(ClusterSpec spec, float timeoutSeconds, Server server) {
    this.spec = spec;
    this.timeoutSeconds = timeoutSeconds;
    this.server = server;
  }

  /**
   * Starts this worker's server.
   *
   * @param timeoutSeconds how long a collective waits for all workers before failing
   * @param intraThreads TensorFlow intra-op threads of this worker (0 = all cores)
   * @param interThreads inter-op threads (0 = TensorFlow's default)
   * @param cpuDevices CPU devices of this worker's server (more than 1 for towers on CPU devices)
   * @throws IllegalArgumentException when this worker's port is taken
   */
  public static ClusterMember start(ClusterSpec spec, float timeoutSeconds, int intraThreads, int interThreads, int cpuDevices) {
    if (!(timeoutSeconds > 0) || Float.isInfinite(timeoutSeconds)) {
      throw new IllegalArgumentException("the collective timeout must be a positive number of seconds, got " + timeoutSeconds);
    }
    int port = ClusterSpec.port(spec.address());
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new IllegalArgumentException("worker " + spec.index() + " cannot listen on port " + port + " (" + spec.address()
          + "): " + dev.provide.ops.ErrorMessages.firstLine(e) + "; another process holds it, so choose another port in the cluster description");
    }
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int i = 0; i < spec.size(); i++) {
      job.putTasks(i, spec.workers().get(i));
    }
    ConfigProto.Builder defaults = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraThreads)
        .setInterOpParallelismThreads(interThreads);
    if (cpuDevices > 1) {
      defaults.putDeviceCount("CPU", cpuDevices);
    }
    defaults.getExperimentalBuilder().setCollectiveGroupLeader("/job:" + JOB + "/replica:0/task:0");
    ServerDef def = ServerDef.newBuilder()
        .setCluster(ClusterDef.newBuilder().addJob(job))
        .setJobName(JOB)
        .setTaskIndex(spec.index())
        .setProtocol("grpc")
        .setDefaultSessionConfig(defaults)
        .build();
    Server server;
    try {
      server = new Server(def);
      server.start();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("worker " + spec.index() + " cannot start its TensorFlow server on " + spec.address()
          + ": " + dev.provide.ops.ErrorMessages.firstLine(e));
    }
    return new ClusterMember(spec, timeoutSeconds, server);
  }

  /** The cluster. */
  public ClusterSpec spec() {
    return spec;
  }

  /** Whether this worker is the chief. */
  public boolean chief() {
    return spec.chief();
  }

  /** This worker's place in the training graph's replication (one replica per worker). */
  public Replication replication() {
    return new Replication(spec.size(), spec.index(), timeoutSeconds,
        "/job:" + JOB + "/replica:0/task:" + spec.index() + "/device:CPU:0");
  }

  /**
   * A session of {@code graph} on this worker's server, placing ops on this worker's devices only
   * (so that opening it does not wait for the other workers).
   */
  public Session session(Graph graph, ConfigProto config) {
    ConfigProto own = config.toBuilder().clearDeviceFilters().addDeviceFilters("/job:" + JOB + "/task:" + spec.index()).build();
    return TargetSessions.open(graph, "grpc://localhost:" + ClusterSpec.port(spec.address()), own);
  }

  /**
   * What to tell the user when a collective failed: which workers do not answer on their port
   * (dead, or never started), or, when all answer, TensorFlow's own reason.
   */
  public String describeFailure(Throwable e) {
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < spec.size(); i++) {
      if (i != spec.index() && !answers(spec.workers().get(i))) {
        gone.add("worker " + i + " (" + spec.workers().get(i) + ")");
      }
    }
    String seconds = String.format("%.0f s", timeoutSeconds);
    if (!gone.isEmpty()) {
      return String.join(", ", gone) + (gone.size() == 1 ? " does" : " do") + " not answer: it stopped or never started "
          + "(collectives wait " + seconds + ", --collective-timeout)";
    }
    return "a collective across the workers failed (" + dev.provide.ops.ErrorMessages.firstLine(e)
        + "); every worker answers, so one may have been restarted or be slower than the " + seconds + " collective timeout";
  }

  private static boolean answers(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ClusterSpec.host(address), ClusterSpec.port(address)), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
