"""Loads the Sluice DAGs against the Airflow stand-in in stubs/ and prints what they made, as JSON.

    python3 check_dags.py <submit/airflow folder> <settings JSON> <interval start> <interval end>

The settings JSON is stored as the Airflow Variable "sluice". Templates are rendered as Airflow
renders {{ data_interval_start }} and {{ data_interval_end }}, with the given texts (str() of the
DateTime); any other template fails. For every task the outcome of its execute() is given per
exit code of the command: "success", "retry" (a failure Airflow retries while retries are left)
or "fail" (AirflowFailException: never retried).
"""

import datetime
import importlib.util
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "stubs"))

from airflow.exceptions import AirflowException, AirflowFailException  # noqa: E402
from airflow.models import Variable  # noqa: E402

EXIT_CODES = [0, 1, 2, 3, 4, 137]
TEMPLATE = re.compile(r"\{\{(.*?)\}\}|\{%")


def render(value, start, end):
    if isinstance(value, list):
        return [render(item, start, end) for item in value]

    def replace(match):
        name = (match.group(1) or "").strip()
        if name == "data_interval_start":
            return start
        if name == "data_interval_end":
            return end
        raise ValueError(f"Unexpected template {match.group(0)!r} in {value!r}")

    return TEMPLATE.sub(replace, value)


def outcome(task, exit_code):
    try:
        task.execute({"exit_code": exit_code})
        return "success"
    except AirflowFailException:
        return "fail"
    except AirflowException:
        return "retry"


def outcomes(task):
    return {str(code): outcome(task, code) for code in EXIT_CODES}


def load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(folder, settings, start, end):
    folder = Path(folder)
    sys.path.insert(0, str(folder))
    Variable.values["sluice"] = settings
    result = []
    for path in sorted(folder.glob("sluice_hourly_*.py")):
        module = load(path)
        dag = module.dag
        arguments = dag.arguments
        tasks = []
        for task in dag.tasks:
            described = {
                "task_id": task.task_id,
                "operator": type(task).__name__,
                "pool": task.pool,
                "retries": task.retries,
                "outcomes": outcomes(task),
            }
            if hasattr(task, "bash_command"):
                described["bash_command"] = render(task.bash_command, start, end)
                described["skip_on_exit_code"] = task.skip_on_exit_code
            if hasattr(task, "spark_submit"):
                spark = task.spark_submit
                described["application"] = spark["application"]
                described["java_class"] = spark["java_class"]
                described["conn_id"] = spark.get("conn_id")
                described["deploy_mode"] = spark.get("deploy_mode")
                described["application_args"] = render(spark["application_args"], start, end)
            tasks.append(described)
        described_dag = {
            "file": path.name,
            "dag_id": dag.dag_id,
            "schedule": arguments["schedule"],
            "catchup": arguments["catchup"],
            "max_active_runs": arguments["max_active_runs"],
            "start_date": arguments["start_date"].isoformat(),
            "start_date_is_utc": arguments["start_date"].utcoffset() == datetime.timedelta(0),
            "tasks": tasks,
        }
        operator = getattr(module, "SluiceSparkSubmitOperator", None)
        if operator is not None:
            # The same operator in cluster mode, outside the DAG's tasks.
            with type(dag)("cluster_mode_probe"):
                cluster = operator(
                    task_id="cluster_mode", deploy_mode="cluster", application="app.jar"
                )
            described_dag["cluster_mode_outcomes"] = outcomes(cluster)
        result.append(described_dag)
    print(json.dumps({"dags": result}))


if __name__ == "__main__":
    main(*sys.argv[1:])
