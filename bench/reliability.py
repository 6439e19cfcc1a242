"""Fault drill: a Celery worker keeps working across a PostgreSQL restart, and a dead broker
does not stop a write.

    python -m bench.reliability          # restarts this machine's PostgreSQL cluster!

Not part of the test suite (it restarts the shared database server). It uses its own database
(fn_reliability) and Redis database 8. Steps:

1. migrate and seed the demo network; start a worker (``celery -A config worker``);
2. queue ``scan_all_tasks`` and wait for its ScanRun row;
3. restart PostgreSQL (``pg_ctlcluster ... restart``), queue again and time how long until the
   worker records the next scan; check that the worker process is the same one;
4. with the broker address pointing at a closed port, assign a freelancer and time the write,
   then run a full scan and check that its flags appear.

Prints a table of the figures (kept in docs/reliability.md).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get(
    "RELIABILITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fn_reliability"
)
BROKER = os.environ.get("RELIABILITY_BROKER_URL", "redis://127.0.0.1:6379/8")


def env(**extra: str) -> dict[str, str]:
    values = dict(os.environ)
    values.update(
        DEBUG="1",
        DATABASE_URL=DATABASE_URL,
        CELERY_BROKER_URL=BROKER,
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
    )
    values.update(extra)
    return values


def manage(*args: str, **extra: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env(**extra),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def shell(code: str, **extra: str) -> str:
    return manage("shell", "--no-imports", "-c", code, **extra).strip()


def scan_count() -> int:
    return int(shell("from tasks.models import ScanRun; print(ScanRun.objects.count())"))


def queue_full_scan() -> None:
    shell("from tasks.jobs import scan_all_tasks; scan_all_tasks.delay()")


def wait_for_scans(at_least: int, timeout: float = 90) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if scan_count() >= at_least:
                return time.monotonic() - start
        except subprocess.CalledProcessError:
            pass  # the database may still be coming back
        time.sleep(0.5)
    raise SystemExit(f"no scan recorded within {timeout} s")


def restart_postgresql() -> float:
    cluster = sorted(os.listdir("/etc/postgresql"))[0]
    start = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
    )
    while subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode:
        time.sleep(0.2)
    return time.monotonic() - start


def main() -> None:
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "fn_reliability"],
        check=False,
        capture_output=True,
    )
    manage("migrate", "--no-input", "-v0")
    manage("seed_demo")
    subprocess.run(["redis-cli", "-n", BROKER.rsplit("/", 1)[-1], "flushdb"], check=True)
    log = tempfile.NamedTemporaryFile("w+", prefix="reliability-worker-", delete=False)  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env(LOG_LEVEL="INFO"),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    rows = []
    try:
        before = scan_count()
        queue_full_scan()
        rows.append(("full scan through the worker", f"{wait_for_scans(before + 1):.1f} s"))

        rows.append(("PostgreSQL restart", f"{restart_postgresql():.1f} s"))
        before = scan_count()
        queue_full_scan()
        rows.append(("next scan recorded after the restart", f"{wait_for_scans(before + 1):.1f} s"))
        alive = worker.poll() is None
        rows.append(("worker process survived", "yes" if alive else "NO"))

        dead_broker = "redis://127.0.0.1:1/0"
        code = (
            "import time; from django.utils import timezone;"
            "from freelancers.models import Freelancer; from tasks.models import Task;"
            "from tasks.services import assign_freelancer;"
            "t = Task.objects.live().filter(assignments__isnull=True, is_core=False).first();"
            "f = Freelancer.objects.filter(status='active', vetting_status='pending').first();"
            "s = time.monotonic(); assign_freelancer(t, f, role='primary');"
            "print(t.pk, f.pk, round(time.monotonic() - s, 2))"
        )
        task_id, freelancer_id, seconds = shell(code, CELERY_BROKER_URL=dead_broker).split()
        rows.append(("assignment saved with the broker down", f"{seconds} s"))
        check = (
            f"from tasks.models import RiskFlag; print(RiskFlag.objects.filter(task_id={task_id},"
            f" assignment__freelancer_id={freelancer_id}, kind='assigned_before_vetting',"
            " resolved_at__isnull=True).count())"
        )
        missing = shell(check)
        manage("scan_risks")
        healed = shell(check)
        rows.append(("its flag before / after the next full scan", f"{missing} / {healed}"))
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    width = max(len(name) for name, _ in rows)
    print(f"\n{'step':<{width}}  result")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(f"worker log: {log.name}")


if __name__ == "__main__":
    main()
