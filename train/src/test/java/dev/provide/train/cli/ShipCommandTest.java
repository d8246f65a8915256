package dev.provide.train.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.provide.graph.Checkpoints;
import dev.provide.train.Fixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ShipCommandTest {
  @TempDir Path dir;

  @Test
  void averageLastTakesTheRunsNewestCheckpointsAndRefusesMoreThanItHolds() throws Exception {
    Path run = dir.resolve("run");
    Fixtures.trainer(run, 6, 1e-3).run(false); // checkpoints every 2 steps, the newest 2 kept: 4 and 6
    List<Checkpoints.Checkpoint> all = Checkpoints.list(run);
    assertEquals(List.of(4L, 6L), all.stream().map(Checkpoints.Checkpoint::step).toList());

    assertEquals(all, ShipCommand.sources(List.of(run), 2));
    assertEquals(all.subList(1, 2), ShipCommand.sources(List.of(run), 1));
    assertEquals(List.of(all.get(0), all.get(1)), ShipCommand.sources(List.of(all.get(0).dir(), run), 1));

    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = ProvideCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    Path model = dir.resolve("model");
    assertEquals(0, cl.execute("ship", "--checkpoint", run.toString(), "--average-last", "2", "--out", model.toString()), err.toString());
    assertEquals(2, Checkpoints.resolve(model).provenance().averagedFrom().size());

    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> ShipCommand.sources(List.of(run), 3));
    assertTrue(tooMany.getMessage().contains("holds 2 checkpoints"), tooMany.getMessage());
    int code = cl.execute("ship", "--checkpoint", run.toString(), "--average-last", "0", "--out", dir.resolve("none").toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("--average-last must be at least 1"), err.toString());
    assertFalse(Files.exists(dir.resolve("none")));
  }
}
