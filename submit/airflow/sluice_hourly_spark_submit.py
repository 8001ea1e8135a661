"""Sluice: materialize each feature view every hour with SparkSubmitOperator.

One task per feature view submits Sluice's application jar through the Spark connection
"spark_default":

    spark-submit --class io.sluice.engine.cli.SluiceMain <application jar> \\
        materialize --config <feature_store.yaml> --feature-view <view> \\
        --start {{ data_interval_start }} --end {{ data_interval_end }}

In client mode (the default here) spark-submit exits with the Sluice driver's exit code, and a
failure is retried only when that code is 4 (infrastructure failure worth retrying). In cluster
mode the driver's exit code does not reach spark-submit, so every failure is left to Airflow's
retries. Catch-up after an outage runs as a bounded backfill: at most MAX_ACTIVE_RUNS hours at a
time, and no more Sluice runs at once than the pool "sluice" has slots. See README.md next to
this file.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from airflow.exceptions import AirflowException, AirflowFailException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:  # Airflow 3
    from airflow.sdk import DAG, Variable
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.models import Variable

from sluice_commands import (
    DATA_INTERVAL_END,
    DATA_INTERVAL_START,
    MAIN_CLASS,
    dag_settings,
    failure_message,
    is_retryable,
    spark_submit_application_args,
    spark_submit_exit_code,
)

# The Airflow Variable "sluice" (JSON) overrides the defaults in sluice_commands.py, e.g.
# {"feature_views": ["driver_hourly_stats"], "config": "/opt/sluice/feature_store.yaml",
#  "application": "/opt/sluice/sluice.jar"}.
SETTINGS = dag_settings(Variable.get("sluice", {}, deserialize_json=True))

# The first hour to materialize. With catchup=True, Airflow runs every hour from here to now when
# the DAG is first enabled: set it to where the online store should start.
START_DATE = datetime(2024, 5, 1, tzinfo=timezone.utc)
# How many hours run at once while catching up; the pool bounds the Sluice runs of all DAGs.
MAX_ACTIVE_RUNS = 2
POOL = "sluice"


class SluiceSparkSubmitOperator(SparkSubmitOperator):
    """A SparkSubmitOperator for a Sluice command. In client mode only exit code 4 leaves the
    failure to Airflow's retries; any other exit code raises AirflowFailException, which Airflow
    never retries. In cluster mode every failure is left to Airflow's retries, since spark-submit
    does not exit with the driver's code there."""

    def __init__(self, *, deploy_mode="client", **kwargs):
        super().__init__(deploy_mode=deploy_mode, **kwargs)
        # deploy_mode here wins over the connection's, so "client" means client mode.
        self.exit_code_is_sluices = deploy_mode == "client"

    def execute(self, context):
        try:
            return super().execute(context)
        except AirflowException as failure:
            exit_code = spark_submit_exit_code(str(failure))
            if not self.exit_code_is_sluices or exit_code is None or is_retryable(exit_code):
                raise
            raise AirflowFailException(failure_message(self.task_id, exit_code)) from failure


with DAG(
    dag_id="sluice_hourly_spark_submit",
    description="Materialize each feature view every hour with spark-submit",
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
        SluiceSparkSubmitOperator(
            task_id=f"materialize_{view}",
            conn_id="spark_default",
            application=SETTINGS["application"],
            java_class=MAIN_CLASS,
            name=f"sluice-materialize-{view}",
            application_args=spark_submit_application_args(
                view, DATA_INTERVAL_START, DATA_INTERVAL_END, config=SETTINGS["config"]
            ),
        )
