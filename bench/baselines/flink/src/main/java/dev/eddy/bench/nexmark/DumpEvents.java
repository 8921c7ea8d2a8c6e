package dev.eddy.bench.nexmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the first N events of split {@code index} of P as canonical JSON lines. */
final class DumpEvents {
  private DumpEvents() {}

  static void dump(long n, int parallelism, int index, double rate, int seed, String output) throws IOException {
    GeneratorConfig base = GeneratorConfig.create(n * parallelism, rate, seed);
    GeneratorConfig config = base.split(parallelism).get(index);
    NexmarkGenerator g = new NexmarkGenerator(config);
    try (Writer w = output == null
        ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
        : Files.newBufferedWriter(Path.of(output), StandardCharsets.UTF_8)) {
      for (long i = 0; i < n && g.hasNext(); i++) {
        w.write(Canonical.event(g.next()));
        w.write('\n');
      }
    }
  }
}
