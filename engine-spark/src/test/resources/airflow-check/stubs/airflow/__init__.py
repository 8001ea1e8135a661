"""A stand-in for the few parts of Airflow 2 the Sluice DAGs use, so that check_dags.py can load
them without Airflow: DAG, Variable, BaseOperator, the exceptions, BashOperator and
SparkSubmitOperator. Each takes only the arguments the real one takes, and fails as the real one
fails, as far as the DAGs rely on it."""

DAG_ARGUMENTS = {
    "description",
    "doc_md",
    "schedule",
    "start_date",
    "end_date",
    "catchup",
    "max_active_runs",
    "max_active_tasks",
    "default_args",
    "tags",
    "dagrun_timeout",
}


class DAG:
    """Collects the operators made inside its with-block."""

    current = None

    def __init__(self, dag_id, **kwargs):
        unknown = set(kwargs) - DAG_ARGUMENTS
        if unknown:
            raise TypeError(f"DAG got unexpected arguments {sorted(unknown)}")
        self.dag_id = dag_id
        self.arguments = kwargs
        self.default_args = kwargs.get("default_args") or {}
        self.tasks = []

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc_info):
        DAG.current = None
        return False
