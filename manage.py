#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's entry point: without DEBUG in the environment it runs as in
    # development (SQLite, eager jobs, a development key). The production entry points
    # (config.wsgi, config.celery) never default DEBUG, so there a missing SECRET_KEY stops
    # start-up; production shells set DEBUG=0 (see README and .env.example).
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
