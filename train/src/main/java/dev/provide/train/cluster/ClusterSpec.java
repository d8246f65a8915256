package dev.provide.train.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The workers of a training cluster and which of them this process is, from the ecosystem's
 * convention: the {@code TF_CONFIG} environment variable,
 * {@code {"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}}.
 * A {@code "chief"} job of one address, as TensorFlow's multi-worker strategies write it, is taken
 * as worker 0 before the others. Worker 0 is the chief: it writes the run's files.
 *
 * @param workers every worker's {@code host:port}, the chief first
 * @param index this process's place in {@code workers}
 */
public record ClusterSpec(List<String> workers, int index) {
  /** The environment variable that describes the cluster. */
  public static final String ENV = "TF_CONFIG";

  /** Validates: at least one worker, well-formed distinct addresses, an index in range. */
  public ClusterSpec {
    workers = List.copyOf(workers);
    if (workers.isEmpty()) {
      throw new IllegalArgumentException("the cluster has no worker");
    }
    Set<String> seen = new HashSet<>();
    for (String w : workers) {
      port(w);
      if (!seen.add(w)) {
        throw new IllegalArgumentException("worker address " + w + " appears twice in the cluster");
      }
    }
    if (index < 0 || index >= workers.size()) {
      throw new IllegalArgumentException("task index " + index + " is out of range: the cluster has " + workers.size()
          + " worker" + (workers.size() == 1 ? "" : "s") + " (indices 0 to " + (workers.size() - 1) + ")");
    }
  }

  /** Whether this process is the chief, worker 0. */
  public boolean chief() {
    return index == 0;
  }

  /** Workers in the cluster. */
  public int size() {
    return workers.size();
  }

  /** This worker's address. */
  public String address() {
    return workers.get(index);
  }

  /** The port of a {@code host:port} address. */
  public static int port(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("worker address '" + address + "' is not host:port");
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("worker address '" + address + "' has no port number after the colon");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("worker address '" + address + "' has port " + port + ", outside 1..65535");
    }
    return port;
  }

  /** The host of a {@code host:port} address. */
  public static String host(String address) {
    port(address);
    return address.substring(0, address.lastIndexOf(':'));
  }

  /**
   * Parses a {@code TF_CONFIG} value.
   *
   * @throws IllegalArgumentException naming what is wrong, in one line
   */
  public static ClusterSpec parse(String tfConfig) {
    JsonObject root;
    try {
      JsonElement e = JsonParser.parseString(tfConfig);
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException(ENV + " must be a JSON object with \"cluster\" and \"task\", got: " + abbreviate(tfConfig));
      }
      root = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(ENV + " is not valid JSON (" + dev.provide.ops.ErrorMessages.firstLine(e) + "): "
          + abbreviate(tfConfig));
    }
    JsonObject cluster = object(root, "cluster");
    JsonObject task = object(root, "task");
    for (String job : cluster.keySet()) {
      if (!job.equals("worker") && !job.equals("chief")) {
        throw new IllegalArgumentException(ENV + " has a '" + job + "' job; training here is synchronous all-reduce among "
            + "workers (and an optional chief), with no parameter servers or evaluators");
      }
    }
    List<String> workers = new ArrayList<>();
    int chiefs = 0;
    if (cluster.has("chief")) {
      List<String> chief = addresses(cluster, "chief");
      if (chief.size() != 1) {
        throw new IllegalArgumentException(ENV + " cluster.chief must hold one address, got " + chief.size());
      }
      workers.addAll(chief);
      chiefs = 1;
    }
    if (cluster.has("worker")) {
      workers.addAll(addresses(cluster, "worker"));
    } else if (chiefs == 0) {
      throw new IllegalArgumentException(ENV + " has no cluster.worker list of \"host:port\" addresses");
    }
    String type = string(task, "type");
    int index;
    try {
      index = task.has("index") ? task.get("index").getAsInt() : 0;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(ENV + " task.index must be a whole number, got " + task.get("index"));
    }
    switch (type) {
      case "chief":
        if (chiefs == 0) {
          throw new IllegalArgumentException(ENV + " says this task is the chief but the cluster has no chief job");
        }
        if (index != 0) {
          throw new IllegalArgumentException(ENV + " task.index of the chief must be 0, got " + index);
        }
        return new ClusterSpec(workers, 0);
      case "worker":
        int workerCount = workers.size() - chiefs;
        if (index < 0 || index >= workerCount) {
          throw new IllegalArgumentException("task index " + index + " is out of range: the cluster has " + workerCount
              + " worker" + (workerCount == 1 ? "" : "s") + " (indices 0 to " + (workerCount - 1) + ")");
        }
        return new ClusterSpec(workers, index + chiefs);
      default:
        throw new IllegalArgumentException(ENV + " task.type must be \"worker\" or \"chief\", got \"" + type + "\"");
    }
  }

  /** The {@code TF_CONFIG} value that describes this cluster and task (workers only, no chief job). */
  public String toTfConfig() {
    JsonObject root = new JsonObject();
    JsonObject cluster = new JsonObject();
    JsonArray list = new JsonArray();
    workers.forEach(list::add);
    cluster.add("worker", list);
    root.add("cluster", cluster);
    JsonObject task = new JsonObject();
    task.addProperty("type", "worker");
    task.addProperty("index", index);
    root.add("task", task);
    return root.toString();
  }

  private static JsonObject object(JsonObject parent, String key) {
    JsonElement e = parent.get(key);
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException(ENV + " needs a \"" + key + "\" object, got " + (e == null ? "none" : e));
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject parent, String key) {
    JsonElement e = parent.get(key);
    if (e == null || !e.isJsonPrimitive()) {
      throw new IllegalArgumentException(ENV + " task." + key + " must be a string, got " + (e == null ? "none" : e));
    }
    return e.getAsString();
  }

  private static List<String> addresses(JsonObject cluster, String job) {
    JsonElement e = cluster.get(job);
    if (!e.isJsonArray()) {
      throw new IllegalArgumentException(ENV + " cluster." + job + " must be a list of \"host:port\" strings, got " + e);
    }
    List<String> out = new ArrayList<>();
    for (JsonElement a : e.getAsJsonArray()) {
      if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException(ENV + " cluster." + job + " must be a list of \"host:port\" strings, got " + a);
      }
      out.add(a.getAsString());
    }
    return out;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() <= 80 ? one : one.substring(0, 77) + "...";
  }
}
