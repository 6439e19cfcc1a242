"""Point the project's Celery app at another broker (or eager mode) for the duration of a test.

The app read its configuration at start-up, and caches connection and producer pools for the
broker it first used; the test suite may run with or without CELERY_BROKER_URL (CI sets one), and
Celery's ``conf.broker_url`` prefers that environment variable to its configuration.
"""

import contextlib
import os

from config.celery import app as celery_app


@contextlib.contextmanager
def broker(url: str | None, *, eager: bool):
    conf = celery_app.conf
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    saved = (conf.broker_url, conf.task_always_eager)

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = url, eager
    reset_pools()
    try:
        yield celery_app
    finally:
        conf.broker_url, conf.task_always_eager = saved
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        reset_pools()
