package io.sluice.benchmark.performance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkResultsTest {
  private static BenchmarkResults results(List<Figure> figures) {
    return new BenchmarkResults(
        Map.of("cores", "2"),
        "integration-tests/bench",
        "2026-12-01T00:00:00Z",
        60,
        figures,
        List.of());
  }

  private static Figure write(double sluice, double loop) {
    return Figure.againstLimit(
        "write",
        "1M rows, newer-only",
        "rows/s",
        Sample.of(sluice, sluice * 0.9, sluice * 1.1),
        "pipelined HSET loop, 2 threads",
        Sample.of(loop, loop, loop),
        Target.atLeast(0.6));
  }

  @Test
  void ratiosAreTakenRepetitionByRepetition() {
    Figure figure =
        Figure.againstLimit(
            "reduction",
            "1M rows",
            "s",
            Sample.of(2, 3, 4),
            "DuckDB",
            Sample.of(1, 3, 2),
            Target.atMost(1.5));

    assertThat(figure.ratio().runs()).containsExactly(2.0, 1.0, 2.0);
    assertThat(figure.ratio().median()).isEqualTo(2.0);
    assertThat(figure.meetsTarget()).contains(false);
  }

  @Test
  void writesAndReadsBackEveryFigure(@TempDir Path dir) {
    BenchmarkResults written = results(List.of(write(300_000, 500_000)));
    Path file = dir.resolve("nested/latest.json");

    written.write(file);

    BenchmarkResults read = BenchmarkResults.read(file);
    assertThat(read.figures()).isEqualTo(written.figures());
    assertThat(read.machine()).isEqualTo(written.machine());
  }

  @Test
  void comparePrintsTheChangeOfEachFigureAndWhatIsNewOrGone() {
    Figure gone = Figure.value("fixed-cost", "plan", "s", Sample.of(0.5), Target.atMost(3));
    Figure added =
        Figure.value("end-to-end", "10M rows, wall", "s", Sample.of(18), Target.atMost(20));
    BenchmarkResults old = results(List.of(write(250_000, 500_000), gone));
    BenchmarkResults now = results(List.of(write(400_000, 500_000), added));

    assertThat(BenchmarkResults.compare(old, now))
        .containsExactly(
            "write / 1M rows, newer-only: ratio 0.500 → 0.800x (+60.0%), 250,000 → 400,000 rows/s"
                + " (+60.0%), meets target",
            "end-to-end / 10M rows, wall: new (18.0 s)",
            "fixed-cost / plan: only in the old results");
  }
}
