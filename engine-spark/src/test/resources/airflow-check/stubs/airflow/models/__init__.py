"""Variable and BaseOperator."""

import json

import airflow


class Variable:
    """Airflow Variables from the dict `values` (key to stored text)."""

    values = {}
    _NO_DEFAULT = object()

    @classmethod
    def get(cls, key, default_var=_NO_DEFAULT, deserialize_json=False):
        if key not in cls.values:
            if default_var is cls._NO_DEFAULT:
                raise KeyError(f"Variable {key} does not exist")
            return default_var
        text = cls.values[key]
        return json.loads(text) if deserialize_json else text


BASE_OPERATOR_ARGUMENTS = {
    "task_id",
    "pool",
    "pool_slots",
    "retries",
    "retry_delay",
    "retry_exponential_backoff",
    "max_retry_delay",
    "execution_timeout",
    "doc_md",
}


class BaseOperator:
    """Takes the DAG's default_args as Airflow does, and joins the DAG of the with-block."""

    def __init__(self, **kwargs):
        dag = airflow.DAG.current
        if dag is None:
            raise RuntimeError("operator made outside a DAG")
        arguments = {**dag.default_args, **kwargs}
        unknown = set(arguments) - BASE_OPERATOR_ARGUMENTS
        if unknown:
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(unknown)}")
        self.task_id = arguments["task_id"]
        self.pool = arguments.get("pool", "default_pool")
        self.retries = arguments.get("retries", 0)
        self.arguments = arguments
        dag.tasks.append(self)
