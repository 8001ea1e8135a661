package io.sluice.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.common.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The example Airflow DAGs in {@code submit/airflow}: every file compiles, each DAG makes one task
 * per feature view whose command Sluice's own parser reads as {@code materialize} of that view over
 * the run's data interval, and only exit code 4 is left to Airflow's retries. Airflow is not
 * installed here: {@code check_dags.py} (test resources) loads the DAG files against a small
 * stand-in of the Airflow classes they use and prints what they made. Needs python3 and bash; a
 * machine without them fails this test rather than skipping it.
 */
class AirflowDagsTest {
  private static final Path AIRFLOW = Path.of("../submit/airflow");
  private static final Path CHECK_DAGS = Path.of("src/test/resources/airflow-check/check_dags.py");
  private static final List<String> PYTHON_FILES =
      List.of("sluice_commands.py", "sluice_hourly_bash.py", "sluice_hourly_spark_submit.py");

  private static final List<String> VIEWS = List.of("driver_hourly_stats", "customer_profile");
  // A space in the path: the shell command must keep it one argument.
  private static final String CONFIG = "/srv/feast repo/feature_store.yaml";
  private static final String APPLICATION = "/opt/sluice/sluice-0.1.0.jar";
  private static final Instant START = Instant.parse("2024-05-01T00:00:00Z");
  private static final Instant END = Instant.parse("2024-05-01T01:00:00Z");

  /** What each exit code of the command leads to: only 4 is retried. */
  private static final Map<String, String> CLIENT_OUTCOMES =
      Map.of("0", "success", "1", "fail", "2", "fail", "3", "fail", "4", "retry", "137", "fail");

  @TempDir Path dir;
  private int processes;

  @Test
  void everyPythonFileCompiles() throws Exception {
    List<String> files;
    try (Stream<Path> listing = Files.list(AIRFLOW)) {
      files =
          listing
              .map(path -> path.getFileName().toString())
              .filter(name -> name.endsWith(".py"))
              .sorted()
              .toList();
    }
    assertThat(files).containsExactlyElementsOf(PYTHON_FILES);

    List<String> command = new ArrayList<>(List.of("python3", "-m", "py_compile"));
    files.forEach(file -> command.add(AIRFLOW.resolve(file).toString()));
    run(command);
  }

  /** Airflow renders {@code {{ data_interval_start }}} with str(): pendulum 2 with T, 3 a space. */
  @ParameterizedTest(name = "data interval rendered with \"{0}\" between date and time")
  @ValueSource(strings = {"T", " "})
  void bashDagRunsSluiceMaterializeOfEachViewForTheDataInterval(String separator) throws Exception {
    JsonNode dag = dag(checkDags(separator), "sluice_hourly_bash");

    List<String> taskIds = new ArrayList<>();
    for (JsonNode task : dag.get("tasks")) {
      taskIds.add(task.get("task_id").asText());
      assertThat(task.get("operator").asText()).isEqualTo("SluiceBashOperator");
      // The command as bash runs it, the fake launcher printing the arguments it was given.
      List<String> arguments = bash(task.get("bash_command").asText());
      assertParsesAsMaterialize(arguments, VIEWS.get(taskIds.size() - 1));
    }
    assertThat(taskIds)
        .containsExactly("materialize_driver_hourly_stats", "materialize_customer_profile");
  }

  @ParameterizedTest(name = "data interval rendered with \"{0}\" between date and time")
  @ValueSource(strings = {"T", " "})
  void sparkSubmitDagPassesSluiceMaterializeOfEachViewForTheDataInterval(String separator)
      throws Exception {
    JsonNode dag = dag(checkDags(separator), "sluice_hourly_spark_submit");

    List<String> taskIds = new ArrayList<>();
    for (JsonNode task : dag.get("tasks")) {
      taskIds.add(task.get("task_id").asText());
      assertThat(task.get("operator").asText()).isEqualTo("SluiceSparkSubmitOperator");
      assertThat(task.get("application").asText()).isEqualTo(APPLICATION);
      assertThat(task.get("java_class").asText()).isEqualTo(SluiceMain.class.getName());
      assertThat(task.get("conn_id").asText()).isEqualTo("spark_default");
      assertThat(task.get("deploy_mode").asText()).isEqualTo("client");
      assertParsesAsMaterialize(
          strings(task.get("application_args")), VIEWS.get(taskIds.size() - 1));
    }
    assertThat(taskIds)
        .containsExactly("materialize_driver_hourly_stats", "materialize_customer_profile");
  }

  @Test
  void bothDagsRunHourlyFromAUtcStartAndCatchUpBoundedByActiveRunsAndThePool() throws Exception {
    JsonNode dags = checkDags("T").get("dags");
    assertThat(dags).hasSize(2);
    for (JsonNode dag : dags) {
      assertThat(dag.get("schedule").asText()).as(dag.get("file").asText()).isEqualTo("@hourly");
      assertThat(dag.get("catchup").asBoolean()).isTrue();
      assertThat(dag.get("max_active_runs").asInt()).isBetween(1, 4);
      assertThat(dag.get("start_date_is_utc").asBoolean()).isTrue();
      assertThat(dag.get("tasks")).hasSize(VIEWS.size());
      for (JsonNode task : dag.get("tasks")) {
        assertThat(task.get("pool").asText()).isEqualTo("sluice");
        assertThat(task.get("retries").asInt()).isPositive();
      }
    }
  }

  @Test
  void onlyExitCodeFourIsLeftToAirflowsRetries() throws Exception {
    for (JsonNode dag : checkDags("T").get("dags")) {
      for (JsonNode task : dag.get("tasks")) {
        assertThat(outcomes(task.get("outcomes")))
            .as(dag.get("file").asText() + " " + task.get("task_id").asText())
            .isEqualTo(CLIENT_OUTCOMES);
      }
      if (dag.get("dag_id").asText().equals("sluice_hourly_spark_submit")) {
        // In cluster mode spark-submit's exit code is not the driver's: Airflow retries any
        // failure.
        assertThat(outcomes(dag.get("cluster_mode_outcomes")))
            .isEqualTo(
                Map.of(
                    "0", "success", "1", "retry", "2", "retry", "3", "retry", "4", "retry", "137",
                    "retry"));
      }
    }

    // The plain rule and the reading of spark-submit's failure, without Airflow.
    JsonNode rule =
        python(
            "print(json.dumps({'retryable': [c for c in range(256) if m.is_retryable(c)],"
                + " 'spark_submit': m.spark_submit_exit_code('Cannot execute: spark-submit --class"
                + " io.sluice.engine.cli.SluiceMain app.jar materialize. Error code is: 4.'),"
                + " 'other': m.spark_submit_exit_code('Driver driver-1 badly exited with status"
                + " FAILED')}))");
    assertThat(strings(rule.get("retryable"))).containsExactly("4");
    assertThat(rule.get("spark_submit").asInt()).isEqualTo(4);
    assertThat(rule.get("other").isNull()).isTrue();
  }

  @Test
  void commandsModulePrintsWhatTheDagsRunForOneInterval() throws Exception {
    Path launcher = fakeLauncher();
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                AIRFLOW.resolve("sluice_commands.py").toString(),
                "--config",
                CONFIG,
                "--launcher",
                launcher.toString(),
                "--start",
                "2024-05-01T00:00:00+00:00",
                "--end",
                "2024-05-01T01:00:00+00:00"));
    command.addAll(VIEWS);
    List<String> lines = run(command).lines().toList();
    JsonNode dags = checkDags("T");

    assertThat(lines).hasSize(VIEWS.size());
    for (int i = 0; i < VIEWS.size(); i++) {
      JsonNode printed = Json.MAPPER.readTree(lines.get(i));
      assertThat(printed.get("feature_view").asText()).isEqualTo(VIEWS.get(i));
      assertThat(printed.get("bash_command"))
          .isEqualTo(dag(dags, "sluice_hourly_bash").get("tasks").get(i).get("bash_command"));
      assertThat(printed.get("spark_submit_application_args"))
          .isEqualTo(
              dag(dags, "sluice_hourly_spark_submit").get("tasks").get(i).get("application_args"));
      assertParsesAsMaterialize(bash(printed.get("bash_command").asText()), VIEWS.get(i));
    }
  }

  @Test
  void settingsRejectAnUnknownKeyAndAnEmptyViewList() throws Exception {
    JsonNode errors =
        python(
            "def error(settings):\n"
                + "    try:\n"
                + "        m.dag_settings(settings)\n"
                + "    except ValueError as e:\n"
                + "        return str(e)\n"
                + "print(json.dumps({'unknown': error({'feature_view': ['a']}),"
                + " 'empty': error({'feature_views': []}),"
                + " 'defaults': m.dag_settings({})}))");
    assertThat(errors.get("unknown").asText())
        .isEqualTo(
            "Invalid Sluice settings: unknown keys ['feature_view'] (known: ['application',"
                + " 'config', 'feature_views', 'launcher'])");
    assertThat(errors.get("empty").asText())
        .isEqualTo("Invalid feature_views []: expected a non-empty list of names");
    assertThat(errors.get("defaults").get("launcher").asText())
        .isEqualTo("/opt/sluice/submit/bin/sluice");
  }

  /** Parses with Sluice's picocli command line, without running anything. */
  private static void assertParsesAsMaterialize(List<String> arguments, String view) {
    PrintWriter discard = new PrintWriter(Writer.nullWriter());
    CommandLine.ParseResult parsed =
        SluiceMain.commandLine(discard, discard).parseArgs(arguments.toArray(String[]::new));

    assertThat(parsed.hasSubcommand()).as("a subcommand in %s", arguments).isTrue();
    CommandLine.ParseResult materialize = parsed.subcommand();
    assertThat(materialize.commandSpec().name()).isEqualTo("materialize");
    assertThat(materialize.matchedOptions().stream().map(OptionSpec::longestName))
        .containsExactlyInAnyOrder("--config", "--feature-view", "--start", "--end");
    assertThat(materialize.unmatched()).isEmpty();
    MaterializeCommand command = (MaterializeCommand) materialize.commandSpec().userObject();
    assertThat(command.view.name).isEqualTo(view);
    assertThat(command.repo.config).isEqualTo(Path.of(CONFIG));
    assertThat(command.start.instant()).isEqualTo(START);
    assertThat(command.end.instant()).isEqualTo(END);
    assertThat(command.run.force).isFalse();
    assertThat(command.run.report).isNull();
  }

  /** check_dags.py's description of both DAGs, the data interval rendered with separator. */
  private JsonNode checkDags(String separator) throws Exception {
    ObjectNode settings = Json.MAPPER.createObjectNode();
    settings.putPOJO("feature_views", VIEWS);
    settings.put("config", CONFIG);
    settings.put("launcher", fakeLauncher().toString());
    settings.put("application", APPLICATION);
    String output =
        run(
            List.of(
                "python3",
                CHECK_DAGS.toString(),
                AIRFLOW.toString(),
                Json.MAPPER.writeValueAsString(settings),
                "2024-05-01" + separator + "00:00:00+00:00",
                "2024-05-01" + separator + "01:00:00+00:00"));
    return Json.MAPPER.readTree(output);
  }

  private static JsonNode dag(JsonNode described, String dagId) {
    for (JsonNode dag : described.get("dags")) {
      if (dag.get("dag_id").asText().equals(dagId)) {
        return dag;
      }
    }
    throw new AssertionError("No DAG " + dagId + " in " + described);
  }

  /** Runs a line of Python with sluice_commands imported as m, and json imported. */
  private JsonNode python(String code) throws Exception {
    String program =
        "import json, sys\nsys.path.insert(0, sys.argv[1])\nimport sluice_commands as m\n" + code;
    return Json.MAPPER.readTree(run(List.of("python3", "-c", program, AIRFLOW.toString())));
  }

  /** The arguments the launcher gets when bash runs commandLine. */
  private List<String> bash(String commandLine) throws Exception {
    String output = run(List.of("bash", "-c", commandLine));
    return Arrays.asList(output.split("\0"));
  }

  /** A bin/sluice that prints its arguments, each ended by a NUL. */
  private Path fakeLauncher() throws IOException {
    Path launcher = dir.resolve("bin/sluice");
    if (!Files.exists(launcher)) {
      Files.createDirectories(launcher.getParent());
      Files.writeString(launcher, "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\"\n");
      assertThat(launcher.toFile().setExecutable(true)).isTrue();
    }
    return launcher;
  }

  /** Runs a command and returns its stdout; fails on a non-zero exit, showing stderr. */
  private String run(List<String> command) throws Exception {
    int number = ++processes;
    Path out = dir.resolve("process-" + number + ".out");
    Path err = dir.resolve("process-" + number + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    // No __pycache__ in the source tree: compiled files go to the temporary folder.
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    builder.environment().put("PYTHONPYCACHEPREFIX", dir.resolve("pycache").toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError(
          "Cannot run " + command.get(0) + ": the Airflow DAG tests need python3 and bash", e);
    }
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    assertThat(process.exitValue())
        .as("exit code of %s, stderr:%n%s", command, Files.readString(err, StandardCharsets.UTF_8))
        .isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(item -> strings.add(item.asText()));
    return strings;
  }

  private static Map<String, String> outcomes(JsonNode outcomes) {
    Map<String, String> map = new LinkedHashMap<>();
    outcomes.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
    return map;
  }
}
