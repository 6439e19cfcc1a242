"""Celery jobs of the tasks app: thin adapters around the risk scan in ``tasks.scanning``."""

from celery import shared_task

from .scanning import scan


@shared_task(acks_late=True, max_retries=3, ignore_result=True)
def scan_all_tasks() -> dict:
    """The whole network, in a fixed number of queries. Idempotent, so safe to deliver twice."""
    return scan().as_dict()


@shared_task(acks_late=True, max_retries=3, ignore_result=True)
def scan_task(task_id: int) -> dict:
    """One task, queued after a change touches it."""
    return scan(task_ids=[task_id]).as_dict()
