package dev.provide.train.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** TF_CONFIG as TensorFlow's multi-worker strategies write it, and what is wrong with bad ones. */
class ClusterSpecTest {
  @Test
  void readsWorkersAndTheTaskIndex() {
    ClusterSpec c = ClusterSpec.parse(
        "{\"cluster\": {\"worker\": [\"host-a:2222\", \"host-b:2222\", \"10.0.0.3:2223\"]}, \"task\": {\"type\": \"worker\", \"index\": 2}}");
    assertEquals(List.of("host-a:2222", "host-b:2222", "10.0.0.3:2223"), c.workers());
    assertEquals(2, c.index());
    assertFalse(c.chief());
    assertEquals("10.0.0.3:2223", c.address());
    assertEquals(2223, ClusterSpec.port(c.address()));
    assertEquals("10.0.0.3", ClusterSpec.host(c.address()));
  }

  @Test
  void aChiefJobIsWorkerZeroBeforeTheOthers() {
    String cluster = "\"cluster\": {\"chief\": [\"c:1\"], \"worker\": [\"w0:1\", \"w1:1\"]}";
    ClusterSpec chief = ClusterSpec.parse("{" + cluster + ", \"task\": {\"type\": \"chief\", \"index\": 0}}");
    ClusterSpec second = ClusterSpec.parse("{" + cluster + ", \"task\": {\"type\": \"worker\", \"index\": 1}}");
    assertEquals(List.of("c:1", "w0:1", "w1:1"), chief.workers());
    assertTrue(chief.chief());
    assertEquals(2, second.index());
    assertEquals("w1:1", second.address());
  }

  @Test
  void writesWhatItReads() {
    ClusterSpec c = new ClusterSpec(List.of("localhost:5000", "localhost:5001"), 1);
    assertEquals(c, ClusterSpec.parse(c.toTfConfig()));
  }

  @Test
  void badDescriptionsAreRefusedInOneLineThatSaysWhat() {
    String[][] cases = {
      {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {"{\"task\": {\"type\": \"worker\", \"index\": 0}}", "needs a \"cluster\" object"},
      {"{\"cluster\": {\"worker\": [\"a:1\"]}}", "needs a \"task\" object"},
      {"{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 2}}",
          "task index 2 is out of range: the cluster has 2 workers"},
      {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": -1}}", "task index -1 is out of range"},
      {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": \"one\"}}", "must be a whole number"},
      {"{\"cluster\": {\"worker\": [\"a\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "'a' is not host:port"},
      {"{\"cluster\": {\"worker\": [\"a:99999\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "outside 1..65535"},
      {"{\"cluster\": {\"worker\": [\"a:http\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "no port number"},
      {"{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "appears twice"},
      {"{\"cluster\": {\"worker\": \"a:1\"}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "must be a list"},
      {"{\"cluster\": {\"worker\": [\"a:1\"], \"ps\": [\"p:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "no parameter servers"},
      {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"evaluator\", \"index\": 0}}", "must be \"worker\" or \"chief\""},
      {"{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}", "has no chief job"},
      {"{\"cluster\": {\"chief\": [\"a:1\", \"b:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}", "must hold one address"},
      {"{\"cluster\": {}, \"task\": {\"type\": \"worker\", \"index\": 0}}", "no cluster.worker list"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSpec.parse(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
  }
}
