"""A real Celery worker on Redis runs the full scan against PostgreSQL.

The test starts ``celery -A config worker`` as a subprocess pointed at the test database (the
data is committed: ``transactional_db``), queues ``scan_all_tasks`` through the broker and waits
for the flags to appear. Under CI=true a missing Redis or PostgreSQL fails the test; elsewhere it
is skipped.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tasks.jobs import scan_all_tasks
from tasks.models import RiskFlag, ScanRun
from tests.conftest import require_service
from tests.tasks.celery_broker import broker
from tests.tasks.scan_network import build_network

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# Helper B's Redis database locally; CI passes its own broker in CELERY_BROKER_URL.
BROKER = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/2"
TIMEOUT = 60


def redis_unavailable(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as error:  # any failure means: no broker to test against
        return str(error)
    return None


def database_url_for_tests() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker():
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "set DATABASE_URL=postgres://... for the worker test")
    problem = redis_unavailable(BROKER)
    if problem:
        require_service("Redis", f"{BROKER}: {problem}")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_tests(),
        CELERY_BROKER_URL=BROKER,
        DEBUG="1",
        DATABASE_POOL="0",
        LOG_LEVEL="INFO",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    log = tempfile.NamedTemporaryFile("w+", prefix="scan-worker-", suffix=".log", delete=False)  # noqa: SIM115
    with broker(BROKER, eager=False) as app:
        app.control.purge()  # messages left by earlier runs or other tests
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"scan-test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, log
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            os.unlink(log.name)


def test_a_real_worker_runs_the_queued_full_scan_into_postgresql(worker):
    process, log = worker
    build_network(40)
    assert not RiskFlag.objects.exists()

    scan_all_tasks.apply_async()

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if ScanRun.objects.filter(scope=ScanRun.Scope.FULL).exists():
            break
        if process.poll() is not None:
            break
        time.sleep(0.5)
    log.seek(0)
    output = log.read()[-3000:]
    assert process.poll() is None, f"the worker exited:\n{output}"
    run = ScanRun.objects.filter(scope=ScanRun.Scope.FULL).first()
    assert run is not None, f"no scan within {TIMEOUT} s; worker said:\n{output}"
    open_flags = RiskFlag.objects.filter(resolved_at__isnull=True)
    assert open_flags.count() == run.raised > 0
    assert {kind for kind, c in run.counts.items() if c["open"]} == set(RiskFlag.Kind.values)
