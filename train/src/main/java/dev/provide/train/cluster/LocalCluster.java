package dev.provide.train.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of worker processes on this machine, on loopback ports, to try distributed training
 * without a real cluster: each worker is this JVM's command again (same Java, class path and JVM
 * options) with its own {@code TF_CONFIG}. The chief's output is passed through; the others' lines
 * go to stderr prefixed with {@code [worker i]}. Ctrl-C or SIGTERM reaches every worker; the chief
 * saves.
 */
public final class LocalCluster {
  private LocalCluster() {}

  /**
   * Starts {@code workers} processes running {@code mainClass} with {@code args} and waits for all.
   *
   * @return the chief's exit status, or the first other non-zero status when the chief's is 0
   */
  public static int run(int workers, String mainClass, List<String> args, PrintStream err) throws IOException, InterruptedException {
    if (workers < 1) {
      throw new IllegalArgumentException("--local-workers must be >= 1, got " + workers);
    }
    List<String> addresses = new ArrayList<>();
    for (int port : freePorts(workers)) {
      addresses.add("localhost:" + port);
    }
    List<Process> processes = new ArrayList<>();
    Thread stopAll = new Thread(() -> {
      processes.forEach(Process::destroy); // SIGTERM: each worker stops after the same step, the chief saves
      for (Process p : processes) {
        try {
          p.waitFor(150, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "stop-local-workers");
    Runtime.getRuntime().addShutdownHook(stopAll);
    List<Thread> pumps = new ArrayList<>();
    try {
      for (int i = 0; i < workers; i++) {
        ProcessBuilder pb = new ProcessBuilder(command(mainClass, args));
        pb.environment().put(ClusterSpec.ENV, new ClusterSpec(addresses, i).toTfConfig());
        if (i == 0) {
          pb.inheritIO();
        } else {
          pb.redirectErrorStream(true);
        }
        Process p = pb.start();
        processes.add(p);
        if (i > 0) {
          pumps.add(pump(p, "[worker " + i + "] ", err));
        }
      }
      err.println("started " + workers + " local workers on " + String.join(", ", addresses) + "; worker 0 is the chief");
      int chief = processes.get(0).waitFor();
      int others = 0;
      for (int i = 1; i < processes.size(); i++) {
        int s = processes.get(i).waitFor();
        others = others != 0 ? others : s;
      }
      for (Thread t : pumps) {
        t.join(5000);
      }
      return chief != 0 ? chief : others;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopAll);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it stops the workers
      }
    }
  }

  /** Java, the JVM's own options and class path, the main class and the arguments. */
  private static List<String> command(String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  private static Thread pump(Process p, String prefix, PrintStream err) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          err.println(prefix + line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, "output of " + prefix.strip());
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** {@code n} distinct ports that are free now (the operating system's choice). */
  static List<Integer> freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports.add(s.getLocalPort());
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
