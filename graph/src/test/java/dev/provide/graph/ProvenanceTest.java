package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
  @TempDir Path dir;

  @Test
  void roundTripsWithTheFlagsAndStampsACopy() throws Exception {
    Provenance p = new Provenance("d.tfrecord", "v", 7, 10, 12.5, "abc", "2.18.0", 4, 4, 5e-4, 3000, "then",
        List.of("--lr", "5e-4", "--xla"));
    Path f = dir.resolve("provenance.json");
    p.write(f);
    assertEquals(p, Provenance.read(f));
    Provenance later = p.at(20, 30);
    assertEquals(20, later.step());
    assertEquals(30, later.trainingSeconds(), 0);
    assertEquals(p.flags(), later.flags());
    assertNotEquals("then", later.savedAt());
  }

  @Test
  void aFileFromBeforeTheFlagsReadsWithNoFlags() throws Exception {
    Path f = dir.resolve("old.json");
    Files.writeString(f, "{\"data\": \"d\", \"seed\": 1, \"step\": 5, \"learningRate\": 5.0E-4}");
    Provenance p = Provenance.read(f);
    assertEquals(List.of(), p.flags());
    assertEquals(5, p.step());
  }
}
