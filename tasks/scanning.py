"""The risk scan: makes the open risk flags exactly match the rules of DOMAIN.md.

Why it is written this way:

* **Set-based.** The rules are evaluated by the database in one statement that builds the *diff*
  between the flags the rules want and the flags that are open, into a temporary table
  (``scan_diff``). Three set-based statements then apply it: refresh what still holds, clear what
  no longer holds, insert what is new. A scan therefore issues the same number of queries whether
  it looks at 5 tasks or 100,000 (see ``docs/performance.md``).
* **Safe to repeat and to overlap.** The whole scan is one transaction. On PostgreSQL it first
  takes a transaction-scoped advisory lock, so two scans run one after the other and the second
  sees (and refreshes) what the first wrote; on SQLite the IMMEDIATE transaction already
  serialises writers. The partial unique indexes on open flags, together with
  ``ON CONFLICT DO NOTHING``, guarantee at most one open flag per (task, kind, assignment) even if
  something else writes flags. A failure anywhere rolls the flags back to what they were.
* **Portable.** The SQL is plain enough for PostgreSQL and SQLite (``make run`` uses SQLite); the
  few differences (string aggregation, dates, the scope parameter, the lock) are fragments below.

A dismissed (task, kind, assignment) is never raised again: dismissed keys are removed from what
the rules want before the diff.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from freelancers.models import Freelancer, Skill
from sops.models import SOP, Acknowledgment, SOPVersion

from .models import Assignment, RiskFlag, ScanRun, Task

# Key of the PostgreSQL advisory lock that serialises scans (sops uses 727_001 for its chain).
SCAN_LOCK_KEY = 727_002
KINDS = tuple(RiskFlag.Kind.values)
# work_mem for the scan's transaction on PostgreSQL (the default 4MB spills the full scan's sorts
# and hashes to temporary files).
SCAN_WORK_MEM = "64MB"


@dataclass
class ScanResult:
    """What one scan did; ``counts`` is per kind: raised, open (in scope, after) and cleared."""

    scope: str = ScanRun.Scope.FULL
    tasks_scanned: int = 0
    raised: int = 0
    refreshed: int = 0
    cleared: int = 0
    counts: dict = field(default_factory=dict)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    seconds: float = 0.0
    scan_run_id: int | None = None
    timings: dict = field(default_factory=dict)  # seconds per step: lock, rules, refresh, ...

    def as_dict(self) -> dict:
        """JSON-friendly, for Celery results and logs."""
        return {
            "scope": str(self.scope),
            "tasks_scanned": self.tasks_scanned,
            "raised": self.raised,
            "refreshed": self.refreshed,
            "cleared": self.cleared,
            "counts": {kind: dict(row) for kind, row in self.counts.items()},
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": round(self.seconds, 4),
            "scan_run_id": self.scan_run_id,
            "timings": {step: round(seconds, 4) for step, seconds in self.timings.items()},
        }


# --- SQL ------------------------------------------------------------------------------------

_PARAM = re.compile(r"%\((\w+)\)s")


def _quote(value: str) -> str:
    """A SQL string literal for one of our own constants (never user input)."""
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class _Statements:
    diff: str
    counts: str
    refresh: str
    clear: str
    insert: str
    insert_skipping_conflicts: str
    drop: str


# The diff: a row per flag to raise (flag_id null), to refresh (both set) or to clear (severity
# null: open, but the rules no longer want it).
_DIFF_FULL_JOIN = """
SELECT COALESCE(kp.task_id, o.task_id) AS task_id, COALESCE(kp.kind, o.kind) AS kind,
       COALESCE(kp.assignment_id, o.assignment_id) AS assignment_id,
       kp.severity, kp.detail, o.id AS flag_id
FROM kept kp
FULL JOIN open_flag o
       ON o.task_id = kp.task_id AND o.kind = kp.kind
      AND COALESCE(o.assignment_id, 0) = COALESCE(kp.assignment_id, 0)
"""
# SQLite before 3.39 has no FULL JOIN: the same rows as a LEFT JOIN plus an anti join.
_DIFF_UNION = """
SELECT kp.task_id, kp.kind, kp.assignment_id, kp.severity, kp.detail, o.id AS flag_id
FROM kept kp
LEFT JOIN open_flag o
       ON o.task_id = kp.task_id AND o.kind = kp.kind
      AND COALESCE(o.assignment_id, 0) = COALESCE(kp.assignment_id, 0)
UNION ALL
SELECT o.task_id, o.kind, o.assignment_id, NULL, NULL, o.id
FROM open_flag o
WHERE NOT EXISTS (
    SELECT 1 FROM kept kp
    WHERE kp.task_id = o.task_id AND kp.kind = o.kind
      AND COALESCE(kp.assignment_id, 0) = COALESCE(o.assignment_id, 0)
)
"""


def _dialect(vendor: str) -> dict:
    """The fragments that differ between PostgreSQL and SQLite."""
    if vendor == "postgresql":
        return {
            # Sort inside the aggregate: deterministic details, so a refresh rewrites the same text.
            "agg": lambda expr: f"string_agg({expr}, ', ')",
            "day": lambda col: f"to_char({col} AT TIME ZONE %(tz)s, 'YYYY-MM-DD')",
            "in_scope": lambda col: f"{col} = ANY(CAST(%(scope)s AS bigint[]))",
            "text": "text",
            # A FULL JOIN can only be a hash or merge join: the diff stays linear even when the
            # planner's statistics on the flags table are stale (say, analysed while empty and
            # then filled by the first scan), where an anti join may become a nested loop.
            "diff_select": _DIFF_FULL_JOIN,
        }
    # SQLite: group_concat follows the order of its input (no ORDER BY inside aggregates before
    # 3.44); datetimes are stored as UTC text, so the day is the first ten characters.
    return {
        "agg": lambda expr: f"group_concat({expr}, ', ')",
        "day": lambda col: f"substr({col}, 1, 10)",
        "in_scope": lambda col: f"{col} IN (SELECT value FROM json_each(%(scope)s))",  # noqa: S608 # nosec B608
        "text": "TEXT",
        "diff_select": _DIFF_UNION,
    }


@cache
def _statements(vendor: str, scoped: bool) -> _Statements:
    """Build the scan's SQL once per (database vendor, full or scoped)."""
    d = _dialect(vendor)

    def scope(col: str) -> str:
        return f" AND {d['in_scope'](col)}" if scoped else ""

    names = {
        "task": Task._meta.db_table,
        "assignment": Assignment._meta.db_table,
        "flag": RiskFlag._meta.db_table,
        "freelancer": Freelancer._meta.db_table,
        "fl_skill": Freelancer.skills.through._meta.db_table,
        "skill": Skill._meta.db_table,
        "sop": SOP._meta.db_table,
        "version": SOPVersion._meta.db_table,
        "ack": Acknowledgment._meta.db_table,
        "task_sop": Task.required_sops.through._meta.db_table,
    }
    live = ", ".join(_quote(s) for s in Task.LIVE_STATUSES)
    active = _quote(Freelancer.Status.ACTIVE)
    approved = _quote(Freelancer.Vetting.APPROVED)
    k = {kind: _quote(kind) for kind in KINDS}
    sev = {s: _quote(s) for s in RiskFlag.Severity.values}
    t = d["text"]
    n = names

    # The f-strings below interpolate only this module's constants (table names, choice values,
    # dialect fragments); every value is a bound parameter (hence the S608/B608 markers).
    # Every CTE works only on live tasks and active assignments, as the table says.
    diff = f"""
CREATE TEMP TABLE scan_diff AS
WITH live_assignment AS (
    SELECT a.id, a.task_id, a.freelancer_id, a.assigned_at, t.skill_id, t.is_core
    FROM {n["assignment"]} a
    JOIN {n["task"]} t ON t.id = a.task_id
    WHERE a.ended_at IS NULL AND t.status IN ({live}){scope("t.id")}
),
-- The version to acknowledge: the newest material version of each SOP that is not archived.
current_version AS (
    SELECT v.sop_id, MAX(v.number) AS number
    FROM {n["version"]} v
    JOIN {n["sop"]} s ON s.id = v.sop_id
    WHERE v.material AND NOT s.archived
    GROUP BY v.sop_id
),
single AS (
    -- (task, freelancer) is unique among active assignments: COUNT(*) counts freelancers.
    SELECT la.task_id, MIN(la.freelancer_id) AS freelancer_id, MIN(la.skill_id) AS skill_id
    FROM live_assignment la
    GROUP BY la.task_id
    HAVING COUNT(*) = 1
),
bench AS (
    SELECT fs.skill_id, COUNT(*) AS n
    FROM {n["fl_skill"]} fs
    JOIN {n["freelancer"]} f ON f.id = fs.freelancer_id
    WHERE f.status = {active} AND f.vetting_status = {approved}
      AND fs.skill_id IN (SELECT s.skill_id FROM single s)
    GROUP BY fs.skill_id
),
single_info AS (
    SELECT s.task_id, f.name AS freelancer_name, s.skill_id, sk.name AS skill_name,
           COALESCE(b.n, 0) - CASE
               WHEN f.status = {active} AND f.vetting_status = {approved}
                    AND own.skill_id IS NOT NULL THEN 1
               ELSE 0 END AS others
    FROM single s
    JOIN {n["freelancer"]} f ON f.id = s.freelancer_id
    LEFT JOIN {n["skill"]} sk ON sk.id = s.skill_id
    LEFT JOIN bench b ON b.skill_id = s.skill_id
    LEFT JOIN {n["fl_skill"]} own
           ON own.freelancer_id = s.freelancer_id AND own.skill_id = s.skill_id
),
probe AS (
    -- What must have been acknowledged: per assignment, the task's own SOPs; per freelancer
    -- (not per assignment: far fewer rows), the SOPs that apply to all.
    SELECT la.id AS assignment_id, la.task_id, la.freelancer_id, tr.sop_id
    FROM live_assignment la
    JOIN {n["task_sop"]} tr ON tr.task_id = la.task_id
    JOIN {n["sop"]} s ON s.id = tr.sop_id
    WHERE NOT s.applies_to_all
    UNION ALL
    SELECT CAST(NULL AS bigint), CAST(NULL AS bigint), fl.freelancer_id, s.id
    FROM (SELECT DISTINCT la.freelancer_id FROM live_assignment la) fl
    CROSS JOIN {n["sop"]} s
    WHERE s.applies_to_all
),
missing_probe AS (
    -- Acknowledged = acknowledged the version to acknowledge or any later one (NOT EXISTS
    -- plans as an anti join). SOPs without a current version (archived, or no version) drop
    -- out at the join with current_version.
    SELECT p.assignment_id, p.task_id, p.freelancer_id, s.title, cv.number
    FROM probe p
    JOIN current_version cv ON cv.sop_id = p.sop_id
    JOIN {n["sop"]} s ON s.id = p.sop_id
    WHERE NOT EXISTS (
        SELECT 1
        FROM {n["ack"]} ak
        JOIN {n["version"]} av ON av.id = ak.version_id
        JOIN current_version acv ON acv.sop_id = av.sop_id AND av.number >= acv.number
        WHERE ak.freelancer_id = p.freelancer_id
          AND av.sop_id = p.sop_id
    )
),
missing AS (
    SELECT mp.assignment_id, mp.task_id, mp.freelancer_id, mp.title, mp.number
    FROM missing_probe mp
    WHERE mp.assignment_id IS NOT NULL
    UNION ALL
    -- An SOP for everyone, missing for a freelancer: missing on each of their assignments.
    SELECT la.id, la.task_id, la.freelancer_id, mp.title, mp.number
    FROM missing_probe mp
    JOIN live_assignment la ON la.freelancer_id = mp.freelancer_id
    WHERE mp.assignment_id IS NULL
),
wanted AS (
    SELECT si.task_id, {k["single_freelancer"]} AS kind, CAST(NULL AS bigint) AS assignment_id,
           CASE WHEN si.skill_id IS NULL OR si.others <= 0 THEN {sev["high"]}
                ELSE {sev["medium"]} END AS severity,
           CASE
               WHEN si.skill_id IS NULL THEN
                   'Only ' || si.freelancer_name || ' works on this and the task has no '
                   || 'skill, so no replacement can be found: set its skill'
               WHEN si.others <= 0 THEN
                   'Only ' || si.freelancer_name || ' works on this; no other approved '
                   || 'freelancer has the skill ' || si.skill_name || ': no replacement'
               WHEN si.others = 1 THEN
                   'Only ' || si.freelancer_name || ' works on this; 1 other approved '
                   || 'freelancer has the skill ' || si.skill_name
               ELSE
                   'Only ' || si.freelancer_name || ' works on this; '
                   || CAST(si.others AS {t}) || ' other approved freelancers have the skill '
                   || si.skill_name
           END AS detail
    FROM single_info si
    UNION ALL
    SELECT la.task_id, {k["assigned_before_vetting"]}, la.id,
           CASE WHEN f.vetting_status <> {approved} THEN {sev["high"]}
                ELSE {sev["medium"]} END,
           CASE WHEN f.vetting_status <> {approved} THEN
                    f.name || ' was assigned on ' || {d["day"]("la.assigned_at")}
                    || ' and is still not approved (vetting '
                    || REPLACE(f.vetting_status, '_', ' ') || ')'
                ELSE
                    f.name || ' was assigned on ' || {d["day"]("la.assigned_at")}
                    || ', before vetting was completed on '
                    || {d["day"]("f.vetting_completed_at")}
           END
    FROM live_assignment la
    JOIN {n["freelancer"]} f ON f.id = la.freelancer_id
    WHERE f.vetting_status <> {approved} OR la.assigned_at < f.vetting_completed_at
    UNION ALL
    SELECT c.task_id, {k["core_task_outsourced"]}, CAST(NULL AS bigint), {sev["high"]},
           'Core work is outsourced to '
           || CASE WHEN c.n = 1 THEN c.names
                   ELSE CAST(c.n AS {t}) || ' freelancers: ' || c.names END
           || '; plan to bring it in-house'
    FROM (
        -- Names aggregated in the order of a sorted subquery, with nothing in between that
        -- could reorder rows: deterministic text without a sort per group.
        SELECT o.task_id, COUNT(*) AS n, {d["agg"]("o.name")} AS names
        FROM (
            SELECT la.task_id, f.name
            FROM live_assignment la
            JOIN {n["freelancer"]} f ON f.id = la.freelancer_id
            WHERE la.is_core
            ORDER BY la.task_id, f.name
        ) o
        GROUP BY o.task_id
    ) c
    UNION ALL
    SELECT g.task_id, {k["sop_not_acknowledged"]}, g.assignment_id, {sev["medium"]},
           f.name || ' has not acknowledged the current version of ' || g.labels
    FROM (
        SELECT m.task_id, m.assignment_id, MIN(m.freelancer_id) AS freelancer_id,
               {d["agg"]("m.label")} AS labels
        FROM (
            SELECT mi.task_id, mi.assignment_id, mi.freelancer_id,
                   mi.title || ' (v' || CAST(mi.number AS {t}) || ')' AS label
            FROM missing mi
            ORDER BY mi.task_id, mi.assignment_id, mi.title
        ) m
        GROUP BY m.task_id, m.assignment_id
    ) g
    JOIN {n["freelancer"]} f ON f.id = g.freelancer_id
),
dismissed AS (
    SELECT DISTINCT df.task_id, df.kind, COALESCE(df.assignment_id, 0) AS akey
    FROM {n["flag"]} df
    WHERE df.resolution = {_quote(RiskFlag.Resolution.DISMISSED)}{scope("df.task_id")}
),
kept AS (
    SELECT w.*
    FROM wanted w
    WHERE NOT EXISTS (
        SELECT 1 FROM dismissed x
        WHERE x.task_id = w.task_id AND x.kind = w.kind
          AND x.akey = COALESCE(w.assignment_id, 0)
    )
),
open_flag AS (
    SELECT o.id, o.task_id, o.kind, o.assignment_id
    FROM {n["flag"]} o
    WHERE o.resolved_at IS NULL{scope("o.task_id")}
)
{d["diff_select"]}
"""  # noqa: S608  # nosec B608
    counts = f"""
SELECT kind,
       SUM(CASE WHEN flag_id IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN flag_id IS NOT NULL AND severity IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN severity IS NULL THEN 1 ELSE 0 END)
FROM scan_diff
GROUP BY kind
UNION ALL
SELECT '', COUNT(*), 0, 0 FROM {n["task"]} t WHERE 1 = 1{scope("t.id")}
"""  # noqa: S608  # nosec B608
    # ``resolved_at IS NULL`` again in the writes: an owner may dismiss a flag meanwhile (the
    # dismissal service does not take the scan lock), and a dismissal must win. The scope again
    # too: the planner has no statistics on scan_diff, and without it may read the whole flags
    # table to update the few flags of one task.
    refresh = f"""
UPDATE {n["flag"]} AS f
SET last_seen_at = %(now)s, severity = d.severity, detail = d.detail
FROM scan_diff d
WHERE f.id = d.flag_id AND d.severity IS NOT NULL AND f.resolved_at IS NULL{scope("f.task_id")}
"""  # noqa: S608  # nosec B608
    clear = f"""
UPDATE {n["flag"]}
SET resolved_at = %(now)s, resolution = {_quote(RiskFlag.Resolution.CLEARED)}
WHERE resolved_at IS NULL{scope("task_id")}
  AND id IN (SELECT flag_id FROM scan_diff WHERE severity IS NULL)
"""  # noqa: S608  # nosec B608
    insert = f"""
INSERT INTO {n["flag"]}
    (task_id, kind, assignment_id, freelancer_id, severity, detail, raised_at, last_seen_at,
     resolved_at, resolution, dismissed_by_id, dismiss_note)
SELECT d.task_id, d.kind, d.assignment_id, a.freelancer_id, d.severity, d.detail, %(now)s,
       %(now)s, NULL, '', NULL, ''
FROM scan_diff d
LEFT JOIN {n["assignment"]} a ON a.id = d.assignment_id
WHERE d.flag_id IS NULL
"""  # noqa: S608  # nosec B608
    return _Statements(
        diff=diff,
        counts=counts,
        refresh=refresh,
        clear=clear,
        insert=insert,
        insert_skipping_conflicts=insert.rstrip() + "\nON CONFLICT DO NOTHING\n",
        drop="DROP TABLE scan_diff",
    )


def _execute(cursor, sql: str, params: dict) -> int:
    """Run one statement with exactly the named parameters it uses; returns the row count."""
    cursor.execute(sql, {name: params[name] for name in set(_PARAM.findall(sql))} or None)
    return cursor.rowcount


# The write steps are separate functions so that a test can make one fail midway.
def _refresh(cursor, sql: _Statements, params: dict) -> int:
    return _execute(cursor, sql.refresh, params)


def _clear(cursor, sql: _Statements, params: dict) -> int:
    return _execute(cursor, sql.clear, params)


def _raise_new(cursor, sql: _Statements, params: dict) -> int:
    """Insert the new flags. Under the scan lock no other scan can insert the same open flag;
    should anything else have (the partial unique indexes refuse a second open flag per key),
    the insert is redone skipping those rows. A plain insert first, because ON CONFLICT makes
    PostgreSQL check every unique index before each row: a quarter of the cost of raising
    100,000 flags, paid for a race that the lock already rules out."""
    try:
        with transaction.atomic():
            return _execute(cursor, sql.insert, params)
    except IntegrityError:
        return _execute(cursor, sql.insert_skipping_conflicts, params)


@contextlib.contextmanager
def _step(timings: dict, name: str):
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started


def _lock(cursor, *, full: bool) -> None:
    """Serialise scans on PostgreSQL until the transaction ends (SQLite's IMMEDIATE
    transactions already serialise writers), and set the planner up for the scan."""
    if connection.vendor != "postgresql":
        return
    # One round trip, settings local to this transaction: enough memory for the hashes and
    # sorts to stay off disk and, for the full scan only, no nested loops. A full scan reads
    # every row, so hash joins are always right; but the planner estimates the CTEs (GROUP BY,
    # HAVING, DISTINCT) poorly and, on a misestimate, picks a nested loop that costs minutes.
    # A scan of a few tasks wants exactly those nested loops over the indexes.
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s), set_config('work_mem', %s, true), "
        "set_config('enable_nestloop', %s, true)",
        [SCAN_LOCK_KEY, SCAN_WORK_MEM, "off" if full else "on"],
    )


def scan(task_ids=None) -> ScanResult:
    """Make the open flags of the network (or of ``task_ids``) exactly match the rules.

    Raises what is missing, refreshes ``last_seen_at`` (and severity and detail) on what still
    holds, resolves as ``cleared`` what no longer holds, and records a ``ScanRun``. One
    transaction, a fixed number of queries.
    """
    scoped = task_ids is not None
    ids = sorted({int(pk) for pk in task_ids}) if scoped else []
    result = ScanResult(scope=ScanRun.Scope.TASKS if scoped else ScanRun.Scope.FULL)
    result.started_at = timezone.now()
    clock = time.perf_counter()
    if scoped and not ids:
        result.finished_at = result.started_at
        return result

    vendor = connection.vendor
    sql = _statements(vendor, scoped)
    steps = result.timings
    with transaction.atomic(), connection.cursor() as cursor:
        with _step(steps, "lock"):
            _lock(cursor, full=not scoped)
        # Taken after the lock: a scan that waited stamps its own, later, time.
        now = timezone.now()
        params = {
            "now": connection.ops.adapt_datetimefield_value(now),
            "tz": settings.TIME_ZONE,
            "scope": (ids if vendor == "postgresql" else json.dumps(ids)) if scoped else None,
        }
        with _step(steps, "rules"):
            _execute(cursor, sql.diff, params)
            _execute(cursor, sql.counts, params)
            rows = cursor.fetchall()
        with _step(steps, "refresh"):
            _refresh(cursor, sql, params)
        with _step(steps, "clear"):
            _clear(cursor, sql, params)
        with _step(steps, "raise"):
            _raise_new(cursor, sql, params)
        cursor.execute(sql.drop)

        counts = {kind: {"raised": 0, "open": 0, "cleared": 0} for kind in KINDS}
        for kind, raised, refreshed, cleared in rows:
            raised, refreshed, cleared = int(raised or 0), int(refreshed or 0), int(cleared or 0)
            if kind == "":
                result.tasks_scanned = raised
                continue
            counts[kind] = {"raised": raised, "open": raised + refreshed, "cleared": cleared}
            result.raised += raised
            result.refreshed += refreshed
            result.cleared += cleared
        result.counts = counts
        result.finished_at = timezone.now()
        run = ScanRun.objects.create(
            scope=result.scope,
            started_at=result.started_at,
            finished_at=result.finished_at,
            tasks_scanned=result.tasks_scanned,
            raised=result.raised,
            refreshed=result.refreshed,
            cleared=result.cleared,
            counts=counts,
        )
        result.scan_run_id = run.pk
        commit_started = time.perf_counter()
    # Committing runs the deferred foreign-key checks of the flags raised.
    steps["commit"] = time.perf_counter() - commit_started
    result.seconds = time.perf_counter() - clock
    return result
