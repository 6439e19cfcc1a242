"""Celery jobs of the tasks app: thin adapters around the risk scan in ``tasks.scanning``.

Every job is idempotent (a scan makes the flags match the rules, whatever they were), so a
message delivered twice, or retried after a lost connection, does no harm.
"""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.db import OperationalError

from .queueing import enqueue_on_commit
from .scanning import scan

logger = logging.getLogger(__name__)

# A change that touches more tasks than this queues one full scan instead of a list of ids: the
# full scan costs a fixed number of queries, and one message is cheaper than a huge one.
FULL_SCAN_ABOVE = 500

RETRY = {
    "acks_late": True,
    "ignore_result": True,
    # A database that went away (restart, failover) is worth a few bounded retries.
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 3,
}


@shared_task(**RETRY)
def scan_all_tasks() -> dict:
    """The whole network, in a fixed number of queries (scheduled every 15 minutes); also drops
    per-task scan records older than a month."""
    from .services import prune_scan_history

    result = scan().as_dict()
    prune_scan_history()
    logger.info(
        "Full risk scan: %(tasks_scanned)s tasks, %(raised)s raised, %(refreshed)s refreshed, "
        "%(cleared)s cleared in %(seconds).2f s",
        result,
    )
    return result


@shared_task(**RETRY)
def scan_task(task_id: int) -> dict:
    """One task, queued after a change touches it."""
    return scan(task_ids=[task_id]).as_dict()


@shared_task(**RETRY)
def scan_tasks(task_ids: list[int]) -> dict:
    """Several tasks touched by one change (a vetting decision, an SOP publication), in one scan."""
    return scan(task_ids=task_ids).as_dict()


def queue_scans(task_ids: Iterable[int]) -> None:
    """Queue, after commit, one message that re-scans exactly ``task_ids``.

    One message per change, never one per task: publishing costs time in the request that made
    the change, and with the broker down every attempt costs its timeout.
    """
    ids = sorted({int(pk) for pk in task_ids})
    if not ids:
        return
    if len(ids) == 1:
        enqueue_on_commit(scan_task, ids[0])
    elif len(ids) > FULL_SCAN_ABOVE:
        enqueue_on_commit(scan_all_tasks)
    else:
        enqueue_on_commit(scan_tasks, ids)
