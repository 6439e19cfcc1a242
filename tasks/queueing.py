"""Queue Celery jobs after the current transaction commits, never failing the caller's write."""

import logging

from celery import Task as CeleryTask
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(job: CeleryTask, *args) -> None:
    """Publish ``job(*args)`` once the surrounding transaction has committed.

    After commit, so the worker sees the rows; and a broker that is down only costs a logged
    error (the publish retry is bounded in settings): the periodic full scan heals what was missed.
    """

    def publish() -> None:
        try:
            job.apply_async(args=args)
        except Exception:
            logger.exception("Could not queue %s%r; the periodic scan catches up", job.name, args)

    transaction.on_commit(publish)
