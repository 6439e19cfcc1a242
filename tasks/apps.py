from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "Tasks, money and risk flags"

    def ready(self) -> None:
        # Lower apps announce changes through their own signals; this app re-scans the tasks
        # they touch. The receivers only queue jobs: the rules live in the scan.
        from . import receivers  # noqa: F401
