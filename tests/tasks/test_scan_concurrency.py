"""Two scans at once on PostgreSQL leave exactly the flags of one scan.

Real threads with their own connections, on committed data (``transactional_db``): the advisory
lock makes the second scan wait, then see and refresh what the first wrote.
"""

import threading
import time

import pytest
from django.db import connection, connections

from tasks import scanning
from tasks.models import RiskFlag, ScanRun, Task
from tasks.scanning import scan
from tests.conftest import require_service
from tests.tasks.scan_network import build_network, open_flags

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        require_service(
            "PostgreSQL", "set DATABASE_URL=postgres://... to run the concurrency tests"
        )


def run_at_once(*calls):
    """Run each call in its own thread (own connection), all released together."""
    barrier = threading.Barrier(len(calls))
    errors, results = [], [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as error:  # re-raised in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def slow_writes(monkeypatch):
    """Hold the write phase open a little, so that the two scans really overlap in time."""
    original = scanning._raise_new

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(scanning, "_raise_new", slow)


def test_two_full_scans_at_once_leave_the_flags_of_one_scan(slow_writes):
    build_network(120)
    a, b = run_at_once(scan, scan)
    flags = list(RiskFlag.objects.values_list("task_id", "kind", "assignment_id", "resolved_at"))
    assert flags, "the network should carry flags"
    assert all(resolved is None for *_, resolved in flags)
    assert len(flags) == len({key[:3] for key in flags}), "two flags for one key"
    # They overlapped in time, and the lock serialised them: one raised, the other refreshed.
    runs = list(ScanRun.objects.order_by("finished_at"))
    assert runs[1].started_at < runs[0].finished_at
    assert sorted([a.raised, b.raised]) == [0, len(flags)]
    assert sorted([a.refreshed, b.refreshed]) == [0, len(flags)]
    # And a third scan, alone, agrees with them.
    before = open_flags()
    assert scan().raised == 0
    assert open_flags() == before


def test_a_task_scan_during_a_full_scan_leaves_one_flag_per_key(slow_writes):
    build_network(60)
    some = list(Task.objects.live().values_list("pk", flat=True)[:5])
    run_at_once(scan, lambda: scan(task_ids=some), lambda: scan(task_ids=some))
    keys = list(
        RiskFlag.objects.filter(resolved_at__isnull=True).values_list(
            "task_id", "kind", "assignment_id"
        )
    )
    assert len(keys) == len(set(keys))
    before = open_flags()
    scan()
    assert open_flags() == before
