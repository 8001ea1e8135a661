"""Airflow's exceptions, in Airflow's hierarchy."""


class AirflowException(Exception):
    """A task failure; Airflow retries it while the task has retries left."""


class AirflowFailException(AirflowException):
    """A task failure Airflow never retries."""


class AirflowSkipException(AirflowException):
    """Leaves the task skipped."""
