"""Sluice command lines and Sluice's retry rule for Airflow, in plain Python.

The DAGs in this folder build their commands here. Nothing here imports Airflow, so the commands
can be checked, and printed for one data interval, without an Airflow installation:

    python3 sluice_commands.py --config /opt/sluice/feature_store.yaml \\
        --start 2024-05-01T00:00:00+00:00 --end 2024-05-01T01:00:00+00:00 driver_hourly_stats

prints, per feature view, one line of JSON with the command the BashOperator DAG runs and the
arguments the SparkSubmitOperator DAG passes, for that data interval (a way to rerun one hour by
hand). Python 3.8 or newer.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys

# Where the DAGs expect Sluice; each can be changed in the DAGs' Airflow Variable "sluice".
DEFAULT_LAUNCHER = "/opt/sluice/submit/bin/sluice"
DEFAULT_CONFIG = "/opt/sluice/feature_store.yaml"
DEFAULT_APPLICATION = "/opt/sluice/sluice.jar"
DEFAULT_FEATURE_VIEWS = ("driver_hourly_stats",)

# The main class of Sluice's application jar, for spark-submit --class.
MAIN_CLASS = "io.sluice.engine.cli.SluiceMain"

# Airflow's templates of the data interval. Airflow renders each with str() of a pendulum
# DateTime: 2024-05-01T00:00:00+00:00 with pendulum 2, 2024-05-01 00:00:00+00:00 (a space) with
# pendulum 3 (Airflow 2.8+ and 3). Sluice reads both.
DATA_INTERVAL_START = "{{ data_interval_start }}"
DATA_INTERVAL_END = "{{ data_interval_end }}"

# Sluice's exit codes (README, "The report and exit codes").
SUCCESS = 0
UNEXPECTED = 1
USAGE = 2
DATA = 3
RETRYABLE = 4
EXIT_CODE_MEANINGS = {
    SUCCESS: "success",
    UNEXPECTED: "unexpected failure, report a bug",
    USAGE: "bad usage or configuration",
    DATA: "bad input data",
    RETRYABLE: "infrastructure failure worth retrying",
}

# The settings of the DAGs, and their defaults (the Airflow Variable "sluice" overrides them).
SETTINGS_DEFAULTS = {
    "feature_views": list(DEFAULT_FEATURE_VIEWS),
    "config": DEFAULT_CONFIG,
    "launcher": DEFAULT_LAUNCHER,
    "application": DEFAULT_APPLICATION,
}

_SPARK_SUBMIT_EXIT_CODE = re.compile(r"Error code is: (\d+)\.")


def materialize_arguments(view, start, end, *, config, report=None):
    """The arguments of ``sluice materialize`` for one view and the window [start, end)."""
    for name, value in (("feature view", view), ("config", config), ("start", start), ("end", end)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"Invalid {name} {value!r}: expected a non-empty string")
    arguments = [
        "materialize",
        "--config",
        config,
        "--feature-view",
        view,
        "--start",
        start,
        "--end",
        end,
    ]
    if report is not None:
        arguments += ["--report", report]
    return arguments


def materialize_command(view, start, end, *, config, launcher=DEFAULT_LAUNCHER, report=None):
    """The command line ``<launcher> materialize …`` for one view and the window [start, end)."""
    return [launcher] + materialize_arguments(view, start, end, config=config, report=report)


def bash_command(view, start, end, *, config, launcher=DEFAULT_LAUNCHER, report=None):
    """materialize_command as one shell-quoted line, for BashOperator's bash_command.

    Every word is quoted, so a rendered time with a space (pendulum 3) stays one argument; the
    templates inside single quotes are still rendered by Airflow, which does not parse the shell.
    """
    return shlex.join(
        materialize_command(view, start, end, config=config, launcher=launcher, report=report)
    )


def spark_submit_application_args(view, start, end, *, config, report=None):
    """SparkSubmitOperator's application_args: the Sluice arguments after the application jar."""
    return materialize_arguments(view, start, end, config=config, report=report)


def is_retryable(exit_code):
    """Whether a Sluice run that exited with exit_code is worth another try: only for 4.

    0 is success; 2 (usage or configuration), 3 (input data) and 1 (unexpected) fail the same way
    again until someone changes something, and so does any other code (a signal, the shell).
    """
    return exit_code == RETRYABLE


def failure_message(task, exit_code):
    """The message of a failure that is not retried."""
    meaning = EXIT_CODE_MEANINGS.get(exit_code, "not an exit code of Sluice's own")
    return (
        f"Sluice failed in task {task} with exit code {exit_code} ({meaning}); not retried, since"
        " only exit code 4 is worth retrying: see the error in the task log, fix it, then clear"
        " the task"
    )


def spark_submit_exit_code(message):
    """spark-submit's exit code from the SparkSubmitHook's failure message, or None.

    The hook fails with "Cannot execute: <command>. Error code is: <code>." when spark-submit exits
    with a code other than 0; in client mode that code is the Sluice driver's own.
    """
    match = _SPARK_SUBMIT_EXIT_CODE.search(message)
    return int(match.group(1)) if match else None


def dag_settings(overrides):
    """The DAGs' settings: SETTINGS_DEFAULTS with the given overrides (the Variable "sluice")."""
    if not isinstance(overrides, dict):
        raise ValueError(f"Invalid Sluice settings {overrides!r}: expected a JSON object")
    unknown = sorted(set(overrides) - set(SETTINGS_DEFAULTS))
    if unknown:
        raise ValueError(
            f"Invalid Sluice settings: unknown keys {unknown} (known: {sorted(SETTINGS_DEFAULTS)})"
        )
    settings = {**SETTINGS_DEFAULTS, **overrides}
    views = settings["feature_views"]
    if (
        not isinstance(views, list)
        or not views
        or not all(isinstance(view, str) and view for view in views)
    ):
        raise ValueError(f"Invalid feature_views {views!r}: expected a non-empty list of names")
    if len(set(views)) != len(views):
        raise ValueError(f"Invalid feature_views {views!r}: a view is listed twice")
    for key in ("config", "launcher", "application"):
        if not isinstance(settings[key], str) or not settings[key]:
            raise ValueError(f"Invalid {key} {settings[key]!r}: expected a non-empty string")
    return settings


def render_data_interval(text, start, end):
    """text with the data interval's templates replaced by the given start and end, as Airflow's
    Jinja does for these two (and only these two) templates."""
    return text.replace(DATA_INTERVAL_START, start).replace(DATA_INTERVAL_END, end)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Prints the Sluice commands the DAGs run for one data interval, one JSON line"
        " per feature view."
    )
    parser.add_argument("--config", default=DEFAULT_CONFIG, help="feature_store.yaml")
    parser.add_argument("--launcher", default=DEFAULT_LAUNCHER, help="bin/sluice")
    parser.add_argument("--report", help="a --report file for every command")
    parser.add_argument("--start", required=True, help="data_interval_start, as Airflow renders it")
    parser.add_argument("--end", required=True, help="data_interval_end, as Airflow renders it")
    parser.add_argument("feature_views", nargs="+", metavar="feature_view")
    options = parser.parse_args(argv)
    for view in options.feature_views:
        line = bash_command(
            view,
            DATA_INTERVAL_START,
            DATA_INTERVAL_END,
            config=options.config,
            launcher=options.launcher,
            report=options.report,
        )
        arguments = spark_submit_application_args(
            view,
            DATA_INTERVAL_START,
            DATA_INTERVAL_END,
            config=options.config,
            report=options.report,
        )
        print(
            json.dumps(
                {
                    "feature_view": view,
                    "bash_command": render_data_interval(line, options.start, options.end),
                    "spark_submit_application_args": [
                        render_data_interval(argument, options.start, options.end)
                        for argument in arguments
                    ],
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
