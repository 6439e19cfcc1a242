"""Benchmark of the risk scan on a synthetic network in PostgreSQL.

    make bench                                   # build the network, time the scans, print a table
    make bench BENCH_ARGS="--reuse"              # keep the network already in the database
    make bench BENCH_ARGS="--explain"            # also print EXPLAIN ANALYZE of the diff statement

Uses DATABASE_URL, default ``postgres://postgres@127.0.0.1:5432/fn_bench``. The database is
dropped, re-created and migrated, then filled with COPY: 10,000 freelancers, 100,000 tasks,
250,000 assignments, 50 SOPs with versions and 200,000 acknowledgements (inserted directly, with a
precomputed hash chain, bypassing the service), then ANALYZEd. It then times the full scan (first
run raises everything, second run refreshes everything), one ``scan_task``, counts the full scan's
queries, and runs a naive per-row ORM version of the rules on a 1,000-task sample, checks that it
wants the same flags as the scan left open, and prints the extrapolated ratio.

Targets on a 2-core machine: full scan <= 3 s, scan_task <= 20 ms, <= 25 queries.
The network stays in the database afterwards (``make load`` uses it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/fn_bench"

SIZES = {
    "skills": 40,
    "freelancers": 10_000,
    "tasks": 100_000,
    "assignments": 250_000,
    "sops": 50,
    "acknowledgments": 200_000,
}
TARGETS = {"full": 3.0, "task_ms": 20.0, "queries": 25}


# --- database set-up ------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the bench database through the maintenance database ``postgres``."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Refusing an odd database name: {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # One connection, no pool: the timings are of the scan, not of the pool.
    os.environ["DATABASE_POOL"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)  # eager: nothing is queued anywhere
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the synthetic network ------------------------------------------------------------------


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    n = 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def build_network(seed: int) -> dict[str, float]:
    """Fill the database with COPY. Returns seconds per table."""
    from django.db import connection

    from freelancers.models import Freelancer
    from sops.models import GENESIS_HASH, Acknowledgment, sha256_text
    from tasks.models import Task

    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    two_years = 730 * 86400
    timings: dict[str, float] = {}

    def ago(seconds: float) -> dt.datetime:
        return now - dt.timedelta(seconds=seconds)

    with connection.cursor() as cursor:
        # Skills
        clock = time.perf_counter()
        n_skills = SIZES["skills"]
        _copy(
            cursor,
            "freelancers_skill",
            ("id", "name", "slug"),
            ((i, f"Skill {i:02d}", f"skill-{i:02d}") for i in range(1, n_skills + 1)),
        )

        # Freelancers: mostly active and approved; some pending, in review or rejected.
        freelancers = []  # (id, status, vetting, completed_at)
        fl_rows, fl_skill_rows = [], []
        fs_id = 0
        for i in range(1, SIZES["freelancers"] + 1):
            status = rng.choices(["active", "paused", "offboarded"], [90, 6, 4])[0]
            vetting = rng.choices(["approved", "pending", "in_review", "rejected"], [80, 8, 7, 5])[
                0
            ]
            created = ago(rng.uniform(400 * 86400, 3 * 365 * 86400))
            completed = ago(rng.uniform(0, two_years)) if vetting == "approved" else None
            freelancers.append((i, status, vetting, completed))
            fl_rows.append(
                (
                    i,
                    f"Freelancer {i}",
                    f"bench{i}@example.com",
                    "Bench freelancer",
                    "40.00",
                    status,
                    vetting,
                    completed,
                    created,
                )
            )
            for skill in rng.sample(range(1, n_skills + 1), rng.randint(1, 4)):
                fs_id += 1
                fl_skill_rows.append((fs_id, i, skill))
        _copy(
            cursor,
            Freelancer._meta.db_table,
            (
                "id",
                "name",
                "email",
                "headline",
                "hourly_rate",
                "status",
                "vetting_status",
                "vetting_completed_at",
                "created_at",
            ),
            fl_rows,
        )
        _copy(
            cursor,
            Freelancer.skills.through._meta.db_table,
            ("id", "freelancer_id", "skill_id"),
            fl_skill_rows,
        )
        timings["freelancers"] = time.perf_counter() - clock

        # SOPs: 5 apply to all, 5 are archived; 1-5 versions each, later ones sometimes a typo fix.
        clock = time.perf_counter()
        sop_rows, version_rows = [], []
        versions_of: dict[int, list[tuple[int, int, bool, str]]] = {}
        current_of: dict[int, int] = {}  # sop -> version id to acknowledge
        v_id = 0
        for s in range(1, SIZES["sops"] + 1):
            applies_to_all = s <= 5
            archived = s > 45
            sop_rows.append(
                (s, f"Procedure {s:02d}", f"procedure-{s:02d}", "", applies_to_all, archived, now)
            )
            versions_of[s] = []
            for number in range(1, rng.randint(1, 5) + 1):
                v_id += 1
                material = number == 1 or rng.random() < 0.6
                body = f"# Procedure {s}\n\nVersion {number}.\n"
                digest = sha256_text(body)
                version_rows.append(
                    (v_id, s, number, body, "", material, digest, ago(86400 * (60 - number)))
                )
                versions_of[s].append((v_id, number, material, digest))
            current_of[s] = max((v for v in versions_of[s] if v[2]), key=lambda v: v[1])[0]
        _copy(
            cursor,
            "sops_sop",
            ("id", "title", "slug", "summary", "applies_to_all", "archived", "created_at"),
            sop_rows,
        )
        _copy(
            cursor,
            "sops_sopversion",
            (
                "id",
                "sop_id",
                "number",
                "body",
                "change_note",
                "material",
                "content_sha256",
                "published_at",
            ),
            version_rows,
        )
        timings["sops"] = time.perf_counter() - clock

        # Tasks: 60 % live, 5 % core, 5 % without a skill; 0-3 required SOPs (not the to-all ones).
        clock = time.perf_counter()
        task_rows, task_sop_rows = [], []
        ts_id = 0
        live_sops = list(range(6, 46))
        for t in range(1, SIZES["tasks"] + 1):
            status = rng.choices(["open", "in_progress", "done", "cancelled"], [35, 25, 30, 10])[0]
            skill = rng.randint(1, n_skills) if rng.random() < 0.95 else None
            task_rows.append(
                (
                    t,
                    f"Task {t}",
                    "",
                    skill,
                    rng.random() < 0.05,
                    status,
                    "500.00",
                    "800.00",
                    None,
                    ago(rng.uniform(0, two_years)),
                )
            )
            for sop in rng.sample(
                live_sops + [46, 47], rng.choices([0, 1, 2, 3], [30, 35, 25, 10])[0]
            ):
                ts_id += 1
                task_sop_rows.append((ts_id, t, sop))
        _copy(
            cursor,
            Task._meta.db_table,
            (
                "id",
                "title",
                "description",
                "skill_id",
                "is_core",
                "status",
                "budget",
                "in_house_estimate",
                "due_on",
                "created_at",
            ),
            task_rows,
        )
        _copy(
            cursor,
            Task.required_sops.through._meta.db_table,
            ("id", "task_id", "sop_id"),
            task_sop_rows,
        )
        timings["tasks"] = time.perf_counter() - clock

        # Assignments: 2.5 per task on average, distinct freelancers per task, 30 % ended.
        clock = time.perf_counter()
        per_task = [1] * SIZES["tasks"]
        for _ in range(SIZES["assignments"] - SIZES["tasks"]):
            per_task[rng.randrange(SIZES["tasks"])] += 1
        a_rows = []
        a_id = 0
        for t, k in enumerate(per_task, start=1):
            for fl in rng.sample(freelancers, min(k, 12)):
                a_id += 1
                completed = fl[3]
                if completed is not None and rng.random() < 0.9:
                    # Mostly assigned after vetting; sometimes before it completed.
                    assigned = completed + dt.timedelta(seconds=rng.uniform(60, 86400 * 90))
                    if assigned > now:
                        assigned = now - dt.timedelta(seconds=rng.uniform(60, 86400))
                else:
                    assigned = ago(rng.uniform(86400, two_years))
                ended = (
                    min(now, assigned + dt.timedelta(days=rng.uniform(1, 60)))
                    if rng.random() < 0.3
                    else None
                )
                a_rows.append(
                    (a_id, t, fl[0], "primary" if a_id % 3 else "backup", assigned, ended)
                )
        n_assignments = _copy(
            cursor,
            "tasks_assignment",
            ("id", "task_id", "freelancer_id", "role", "assigned_at", "ended_at"),
            a_rows,
        )
        timings["assignments"] = time.perf_counter() - clock

        # Acknowledgements: 20 per freelancer; the current version of each to-all SOP with 85 %
        # chance, the rest spread over all versions. The hash chain is computed here.
        clock = time.perf_counter()
        all_versions = [v for s in versions_of for v in versions_of[s]]
        digest_of = {v[0]: v[3] for v in all_versions}
        per_fl = SIZES["acknowledgments"] // SIZES["freelancers"]
        ack_rows = []
        previous = GENESIS_HASH
        k_id = 0
        base = ago(86400 * 30)
        for fl_id, *_ in freelancers:
            chosen = {current_of[s] for s in range(1, 6) if rng.random() < 0.85}
            while len(chosen) < per_fl:
                if rng.random() < 0.6:
                    chosen.add(current_of[rng.randint(1, 45)])
                else:
                    chosen.add(rng.choice(all_versions)[0])
            for version_id in sorted(chosen):
                k_id += 1
                acknowledged_at = base + dt.timedelta(seconds=k_id)
                # Acknowledgment.compute_hash only reads attributes: no model instance needed.
                record_hash = Acknowledgment.compute_hash(
                    SimpleNamespace(
                        previous_hash=previous,
                        freelancer_id=fl_id,
                        version_id=version_id,
                        acknowledged_at=acknowledged_at,
                        ip_address="127.0.0.1",
                        user_agent="bench",
                        content_sha256=digest_of[version_id],
                    )
                )
                ack_rows.append(
                    (
                        k_id,
                        fl_id,
                        version_id,
                        acknowledged_at,
                        "127.0.0.1",
                        "bench",
                        digest_of[version_id],
                        previous,
                        record_hash,
                    )
                )
                previous = record_hash
        _copy(
            cursor,
            "sops_acknowledgment",
            (
                "id",
                "freelancer_id",
                "version_id",
                "acknowledged_at",
                "ip_address",
                "user_agent",
                "content_sha256",
                "previous_hash",
                "record_hash",
            ),
            ack_rows,
        )
        timings["acknowledgments"] = time.perf_counter() - clock

        clock = time.perf_counter()
        for table in (
            "freelancers_skill",
            Freelancer._meta.db_table,
            "sops_sop",
            "sops_sopversion",
            Task._meta.db_table,
            "tasks_assignment",
            "sops_acknowledgment",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        cursor.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - clock
    assert n_assignments == SIZES["assignments"], n_assignments  # noqa: S101
    return timings


# --- the naive version of the rules -----------------------------------------------------------


def naive_wanted(task_ids: list[int]) -> set[tuple]:
    """The rules written the obvious way: a loop over tasks with ORM queries per row."""
    from freelancers.models import Freelancer
    from sops.models import SOP, Acknowledgment
    from tasks.models import RiskFlag, Task

    wanted: set[tuple] = set()
    for task in Task.objects.filter(pk__in=task_ids):
        if not task.is_live:
            continue
        active = list(task.assignments.filter(ended_at__isnull=True))
        if len(active) == 1:
            fl = Freelancer.objects.get(pk=active[0].freelancer_id)
            others = (
                Freelancer.objects.available()
                .filter(skills=task.skill_id)
                .exclude(pk=fl.pk)
                .count()
                if task.skill_id
                else 0
            )
            sev = "high" if not task.skill_id or others == 0 else "medium"
            wanted.add((task.pk, RiskFlag.Kind.SINGLE_FREELANCER, None, sev))
        if task.is_core and active:
            wanted.add((task.pk, RiskFlag.Kind.CORE_TASK_OUTSOURCED, None, "high"))
        sops = list(task.required_sops.filter(archived=False)) + list(
            SOP.objects.filter(applies_to_all=True, archived=False)
        )
        for a in active:
            fl = Freelancer.objects.get(pk=a.freelancer_id)
            if not fl.is_approved:
                wanted.add((task.pk, RiskFlag.Kind.ASSIGNED_BEFORE_VETTING, a.pk, "high"))
            elif a.assigned_at < fl.vetting_completed_at:
                wanted.add((task.pk, RiskFlag.Kind.ASSIGNED_BEFORE_VETTING, a.pk, "medium"))
            for sop in {s.pk: s for s in sops}.values():
                current = sop.current_version
                if current is None:
                    continue
                done = Acknowledgment.objects.filter(
                    freelancer=fl, version__sop=sop, version__number__gte=current.number
                ).exists()
                if not done:
                    wanted.add((task.pk, RiskFlag.Kind.SOP_NOT_ACKNOWLEDGED, a.pk, "medium"))
                    break
    return wanted


# --- the run -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="keep the network in the database")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the scan")
    parser.add_argument("--seed", type=int, default=20_260_101)
    parser.add_argument("--sample", type=int, default=1_000, help="tasks for the naive version")
    parser.add_argument("--task-runs", type=int, default=25, help="scan_task repetitions")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    rows: list[tuple[str, str, str]] = []
    if not args.reuse:
        clock = time.perf_counter()
        recreate_database(url)
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(f"database re-created and migrated in {time.perf_counter() - clock:.1f} s")
        build = build_network(args.seed)
        total = sum(build.values())
        print(
            "network built in {:.1f} s ({})".format(
                total, ", ".join(f"{k} {v:.1f} s" for k, v in build.items())
            )
        )
        rows.append(("build network (COPY + ANALYZE)", f"{total:.1f} s", "seconds, not minutes"))
    else:
        setup_django(url)

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from tasks.jobs import scan_task
    from tasks.models import RiskFlag, Task
    from tasks.scanning import _statements, scan

    if args.reuse:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tasks_riskflag")
            cursor.execute("DELETE FROM tasks_scanrun")
            cursor.execute("VACUUM ANALYZE tasks_riskflag")

    counts = {
        "freelancers": "freelancers_freelancer",
        "tasks": "tasks_task",
        "assignments": "tasks_assignment",
        "SOP versions": "sops_sopversion",
        "acknowledgements": "sops_acknowledgment",
    }
    with connection.cursor() as cursor:
        sizes = []
        for label, table in counts.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            sizes.append(f"{cursor.fetchone()[0]:,} {label}")
    print("network: " + ", ".join(sizes))

    first = scan()
    second = scan()
    with CaptureQueriesContext(connection) as captured:
        third = scan()
    n_queries = len(captured.captured_queries)
    reset_queries()

    # One task, through the Celery job (eager: in-process), on tasks that carry flags.
    sample_ids = list(
        RiskFlag.objects.filter(resolved_at__isnull=True)
        .values_list("task_id", flat=True)
        .order_by("task_id")
        .distinct()[: args.task_runs]
    )
    task_times = []
    for task_id in sample_ids:
        clock = time.perf_counter()
        scan_task.apply(args=[task_id])
        task_times.append((time.perf_counter() - clock) * 1000)
    with CaptureQueriesContext(connection) as captured:
        scan(task_ids=[sample_ids[0]])
    task_queries = len(captured.captured_queries)

    # The naive per-row version on a sample; extrapolated to the whole network.
    rng = random.Random(args.seed)
    all_ids = list(Task.objects.values_list("pk", flat=True))
    sample = rng.sample(all_ids, min(args.sample, len(all_ids)))
    clock = time.perf_counter()
    naive = naive_wanted(sample)
    naive_seconds = time.perf_counter() - clock
    scanned = set(
        RiskFlag.objects.filter(task_id__in=sample, resolved_at__isnull=True).values_list(
            "task_id", "kind", "assignment_id", "severity"
        )
    )
    agree = naive == scanned
    naive_full = naive_seconds / len(sample) * len(all_ids)
    ratio = naive_full / second.seconds

    if args.explain:
        from django.db import transaction

        from tasks.scanning import _lock

        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor, full=True)  # the same planner settings as the scan
            sql = _statements("postgresql", False).diff.replace(
                "CREATE TEMP TABLE scan_diff AS", ""
            )
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, {"tz": "UTC"})
            print("\n".join(r[0] for r in cursor.fetchall()))

    def ok(good: bool) -> str:
        return "ok" if good else "MISSED"

    rows += [
        (
            "full scan, first run (raises)",
            f"{first.seconds:.2f} s",
            f"<= {TARGETS['full']} s {ok(first.seconds <= TARGETS['full'])}",
        ),
        (
            "full scan, second run (refreshes)",
            f"{second.seconds:.2f} s",
            f"<= {TARGETS['full']} s {ok(second.seconds <= TARGETS['full'])}",
        ),
        ("  first run: rules and diff", f"{first.timings['rules']:.2f} s", ""),
        ("  first run: insert raised flags", f"{first.timings['raise']:.2f} s", ""),
        ("  first run: commit (FK checks)", f"{first.timings['commit']:.2f} s", ""),
        ("  second run: rules and diff", f"{second.timings['rules']:.2f} s", ""),
        ("  second run: refresh last_seen_at", f"{second.timings['refresh']:.2f} s", "HOT"),
        ("full scan, third run", f"{third.seconds:.2f} s", ""),
        (
            "queries, full scan",
            str(n_queries),
            f"<= {TARGETS['queries']} {ok(n_queries <= TARGETS['queries'])}",
        ),
        (
            f"scan_task, median of {len(task_times)}",
            f"{statistics.median(task_times):.1f} ms",
            f"<= {TARGETS['task_ms']:.0f} ms "
            f"{ok(statistics.median(task_times) <= TARGETS['task_ms'])}",
        ),
        ("scan_task, max", f"{max(task_times):.1f} ms", f"{task_queries} queries"),
        (
            f"naive per-row ORM, {len(sample):,} tasks",
            f"{naive_seconds:.2f} s",
            "same flags" if agree else "DIFFERENT flags",
        ),
        (
            "naive, extrapolated to all tasks",
            f"{naive_full:.0f} s",
            f"{ratio:,.0f}x the set-based scan",
        ),
    ]
    print()
    print(
        "open flags after the scan: "
        + ", ".join(f"{kind} {c['open']:,}" for kind, c in first.counts.items())
        + f" (total {sum(c['open'] for c in first.counts.values()):,})"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  target / note")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 28}")
    for label, value, note in rows:
        print(f"{label:<{width}}  {value:>10}  {note}")
    if not agree:
        print(
            f"naive only: {sorted(naive - scanned)[:5]}; scan only: {sorted(scanned - naive)[:5]}"
        )
    missed = (
        first.seconds > TARGETS["full"]
        or second.seconds > TARGETS["full"]
        or statistics.median(task_times) > TARGETS["task_ms"]
        or n_queries > TARGETS["queries"]
        or not agree
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
