"""BashOperator: execute() behaves as if the command exited with context["exit_code"]."""

from airflow.exceptions import AirflowException, AirflowSkipException
from airflow.models import BaseOperator


class _Process:
    def __init__(self, returncode):
        self.returncode = returncode


class _SubprocessHook:
    def __init__(self):
        self.sub_process = None


class BashOperator(BaseOperator):
    template_fields = ("bash_command", "env", "cwd")

    def __init__(
        self,
        *,
        bash_command,
        env=None,
        append_env=False,
        output_encoding="utf-8",
        skip_on_exit_code=99,
        cwd=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.bash_command = bash_command
        self.env = env
        self.cwd = cwd
        if skip_on_exit_code is None:
            self.skip_on_exit_code = []
        elif isinstance(skip_on_exit_code, int):
            self.skip_on_exit_code = [skip_on_exit_code]
        else:
            self.skip_on_exit_code = list(skip_on_exit_code)
        self.subprocess_hook = _SubprocessHook()

    def execute(self, context):
        exit_code = context["exit_code"]
        self.subprocess_hook.sub_process = _Process(exit_code)
        if exit_code in self.skip_on_exit_code:
            raise AirflowSkipException(f"Bash command returned exit code {exit_code}. Skipping.")
        if exit_code != 0:
            raise AirflowException(
                f"Bash command failed. The command returned a non-zero exit code {exit_code}."
            )
        return "last line of output"
