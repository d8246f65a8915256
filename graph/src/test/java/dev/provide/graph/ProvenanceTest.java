package dev.provide.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void theCommitIsTheNamedCheckoutsNotTheWorkingDirectorys() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    git(repo, "init", "-q");
    Files.writeString(repo.resolve("a.txt"), "one");
    git(repo, "add", "a.txt");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one");
    String head = Files.readString(repo.resolve(".git").resolve("HEAD")).strip(); // "ref: refs/heads/<branch>"
    String full = Files.readString(repo.resolve(".git").resolve(head.substring("ref: ".length()))).strip();
    String commit = Provenance.gitCommit(repo);
    assertTrue(commit.length() >= 7 && full.startsWith(commit), commit + " is not a prefix of " + full);
    Files.writeString(repo.resolve("a.txt"), "two");
    assertEquals(commit + "-dirty", Provenance.gitCommit(repo));
    assertEquals("unknown", Provenance.gitCommit(Files.createDirectories(dir.resolve("not-a-checkout"))));
  }

  private static void git(Path in, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "git " + String.join(" ", args) + ": " + out);
  }
}
