package io.sluice.benchmark.performance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The harness's flags, each with its default:
 *
 * <pre>
 * --sizes 1000000,10000000   rows of the Redis runs (entities = rows / 10); add 30000000 for the
 *                            30M figures (linearity, peak RSS target)
 * --repetitions 3            repetitions of every measurement (medians and min–max over them)
 * --widths 10,50,200         FLOAT feature counts of the width section
 * --width-entities 1000000   entities (one row each) of the width section…
 * --width-cells 50000000     …capped so that entities × features stays under this (Redis memory)
 * --store-rows 200000        rows of the DynamoDB and SQLite runs (entities = rows / 10)
 * --only REGEX               run only the sections whose name matches (reduction, write,
 *                            fixed-cost, end-to-end, cpu-shuffle, cluster, staging, width,
 *                            stores, feast)
 * --out FILE                 the JSON of every figure (target/benchmarks/latest.json)
 * --compare OLD.json         print the change of every figure against an earlier JSON
 * --report FILE              the Markdown report (BENCHMARKS.md), its plots in docs/benchmarks/
 *                            beside it
 * --no-report                write neither the report nor the plots
 * --data DIR                 the cache of generated inputs (target/benchmark-data)
 * </pre>
 */
record BenchmarkOptions(
    List<Long> sizes,
    int repetitions,
    List<Integer> widths,
    long widthEntities,
    long widthCells,
    long storeRows,
    Pattern only,
    Path out,
    Path compare,
    Path report,
    Path data) {
  static final List<String> SECTIONS =
      List.of(
          "reduction",
          "write",
          "fixed-cost",
          "end-to-end",
          "cpu-shuffle",
          "cluster",
          "staging",
          "width",
          "stores",
          "feast");

  BenchmarkOptions {
    sizes = List.copyOf(sizes);
    widths = List.copyOf(widths);
    if (sizes.isEmpty() || sizes.stream().anyMatch(size -> size < 10)) {
      throw new IllegalArgumentException("Invalid --sizes: each at least 10 rows: " + sizes);
    }
    if (repetitions < 1) {
      throw new IllegalArgumentException("Invalid --repetitions: at least 1: " + repetitions);
    }
  }

  static BenchmarkOptions parse(String... args) {
    List<Long> sizes = List.of(1_000_000L, 10_000_000L);
    int repetitions = 3;
    List<Integer> widths = List.of(10, 50, 200);
    long widthEntities = 1_000_000L;
    long widthCells = 50_000_000L;
    long storeRows = 200_000L;
    Pattern only = Pattern.compile(".*");
    Path out = Path.of("target/benchmarks/latest.json");
    Path compare = null;
    Path report = Path.of("BENCHMARKS.md");
    Path data = Path.of("target/benchmark-data");
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--no-report")) {
        report = null;
        continue;
      }
      if (flag.equals("--help") || flag.equals("-h")) {
        throw new IllegalArgumentException(usage());
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("Invalid " + flag + ": it needs a value\n" + usage());
      }
      String value = args[++i];
      switch (flag) {
        case "--sizes" -> sizes = Arrays.stream(value.split(",")).map(Long::parseLong).toList();
        case "--repetitions" -> repetitions = Integer.parseInt(value);
        case "--widths" ->
            widths =
                value.isBlank()
                    ? List.of()
                    : Arrays.stream(value.split(",")).map(Integer::parseInt).toList();
        case "--width-entities" -> widthEntities = Long.parseLong(value);
        case "--width-cells" -> widthCells = Long.parseLong(value);
        case "--store-rows" -> storeRows = Long.parseLong(value);
        case "--only" -> only = Pattern.compile(value);
        case "--out" -> out = Path.of(value);
        case "--compare" -> compare = Path.of(value);
        case "--report" -> report = Path.of(value);
        case "--data" -> data = Path.of(value);
        default -> throw new IllegalArgumentException("Unknown flag " + flag + "\n" + usage());
      }
    }
    return new BenchmarkOptions(
        new ArrayList<>(sizes),
        repetitions,
        widths,
        widthEntities,
        widthCells,
        storeRows,
        only,
        out,
        compare,
        report,
        data);
  }

  boolean runs(String section) {
    return only.matcher(section).find();
  }

  /** Entities of the width section at {@code features} features (one row per entity). */
  long widthEntities(int features) {
    return Math.max(1, Math.min(widthEntities, widthCells / features));
  }

  static String usage() {
    return "usage: integration-tests/bench [--sizes 1000000,10000000] [--repetitions 3]"
        + " [--widths 10,50,200] [--width-entities 1000000] [--width-cells 50000000]"
        + " [--store-rows 200000] [--only REGEX] [--out target/benchmarks/latest.json]"
        + " [--compare OLD.json] [--report BENCHMARKS.md | --no-report]"
        + " [--data target/benchmark-data]\nsections: "
        + String.join(", ", SECTIONS);
  }
}
