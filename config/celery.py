"""The Celery application.

Jobs live in ``<app>/jobs.py`` (the ``tasks`` app is about freelance *tasks*, so the usual
``tasks.py`` name would be confusing); ``autodiscover_tasks`` is pointed at that module name.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("freelancer_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
