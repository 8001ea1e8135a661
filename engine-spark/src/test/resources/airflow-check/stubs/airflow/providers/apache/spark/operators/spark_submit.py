"""SparkSubmitOperator: execute() behaves as if spark-submit exited with context["exit_code"]."""

from airflow.exceptions import AirflowException
from airflow.models import BaseOperator

SPARK_SUBMIT_ARGUMENTS = {
    "application",
    "conf",
    "conn_id",
    "files",
    "py_files",
    "archives",
    "driver_class_path",
    "jars",
    "java_class",
    "packages",
    "exclude_packages",
    "repositories",
    "total_executor_cores",
    "executor_cores",
    "executor_memory",
    "driver_memory",
    "keytab",
    "principal",
    "proxy_user",
    "name",
    "num_executors",
    "status_poll_interval",
    "application_args",
    "env_vars",
    "verbose",
    "spark_binary",
    "properties_file",
    "yarn_queue",
    "deploy_mode",
    "use_krb5ccache",
}


class SparkSubmitOperator(BaseOperator):
    template_fields = ("application", "conf", "name", "application_args", "env_vars")

    def __init__(self, **kwargs):
        spark = {key: value for key, value in kwargs.items() if key in SPARK_SUBMIT_ARGUMENTS}
        super().__init__(**{key: value for key, value in kwargs.items() if key not in spark})
        self.spark_submit = spark
        self.application_args = spark.get("application_args")

    def execute(self, context):
        exit_code = context["exit_code"]
        if exit_code != 0:
            raise AirflowException(
                f"Cannot execute: spark-submit --master yarn --name x app.jar. Error code is:"
                f" {exit_code}."
            )
