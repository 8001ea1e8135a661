"""Sluice: materialize each feature view every hour with bin/sluice (BashOperator).

One task per feature view runs, for the run's data interval,

    /opt/sluice/submit/bin/sluice materialize --config <feature_store.yaml> --feature-view <view> \\
        --start '{{ data_interval_start }}' --end '{{ data_interval_end }}'

on the Airflow worker. The launcher submits to Spark with SPARK_HOME set in the worker's
environment, and runs Spark in local mode without it. A failure is retried only when Sluice exits
with 4 (infrastructure failure worth retrying); any other exit code fails the task at once.
Catch-up after an outage runs as a bounded backfill: at most MAX_ACTIVE_RUNS hours at a time, and
no more Sluice runs at once than the pool "sluice" has slots. See README.md next to this file.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.exceptions import AirflowException, AirflowFailException

try:  # Airflow 3
    from airflow.sdk import DAG, Variable
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.models import Variable
try:  # the standard provider (Airflow 3, and 2.x with apache-airflow-providers-standard)
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:
    from airflow.operators.bash import BashOperator

from sluice_commands import (
    DATA_INTERVAL_END,
    DATA_INTERVAL_START,
    bash_command,
    dag_settings,
    failure_message,
    is_retryable,
)

# The Airflow Variable "sluice" (JSON) overrides the defaults in sluice_commands.py, e.g.
# {"feature_views": ["driver_hourly_stats"], "config": "/opt/sluice/feature_store.yaml"}.
SETTINGS = dag_settings(Variable.get("sluice", {}, deserialize_json=True))

# The first hour to materialize. With catchup=True, Airflow runs every hour from here to now when
# the DAG is first enabled: set it to where the online store should start.
START_DATE = datetime(2024, 5, 1, tzinfo=timezone.utc)
# How many hours run at once while catching up; the pool bounds the Sluice runs of all DAGs.
MAX_ACTIVE_RUNS = 2
POOL = "sluice"


class SluiceBashOperator(BashOperator):
    """A BashOperator for a Sluice command: only exit code 4 leaves the failure to Airflow's
    retries; any other failure raises AirflowFailException, which Airflow never retries."""

    def __init__(self, **kwargs):
        # Sluice never exits 99, BashOperator's default skip code: every failure is a failure.
        kwargs.setdefault("skip_on_exit_code", None)
        super().__init__(**kwargs)

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as failure:
            process = self.subprocess_hook.sub_process
            exit_code = None if process is None else process.returncode
            # No exit code: the command did not end by itself (a timeout, a kill); Airflow decides.
            if exit_code is None or exit_code == 0 or is_retryable(exit_code):
                raise
            raise AirflowFailException(failure_message(self.task_id, exit_code)) from failure


with DAG(
    dag_id="sluice_hourly_bash",
    description="Materialize each feature view every hour with bin/sluice",
    doc_md=__doc__,
    schedule="@hourly",
    start_date=START_DATE,
    catchup=True,
    max_active_runs=MAX_ACTIVE_RUNS,
    default_args={
        "pool": POOL,
        "retries": 3,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
    },
    tags=["sluice", "feast"],
) as dag:
    for view in SETTINGS["feature_views"]:
        SluiceBashOperator(
            task_id=f"materialize_{view}",
            bash_command=bash_command(
                view,
                DATA_INTERVAL_START,
                DATA_INTERVAL_END,
                config=SETTINGS["config"],
                launcher=SETTINGS["launcher"],
            ),
        )
