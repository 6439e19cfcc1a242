"""Reads about SOPs: the version to acknowledge, who must acknowledge what, and the chain check.

Who must acknowledge an SOP depends on assignments, which live in the tasks app above this one.
This module never imports tasks: it follows the reverse relations ``Freelancer.assignments`` and
``SOP.tasks`` by name, so the rule is written once, here, for the SOP pages, the portal and the
reminders. The rule (DOMAIN.md): a freelancer must acknowledge a non-archived SOP when they have
an active assignment on a live task that requires it, or, for an SOP that applies to all, when
they have any active assignment on a live task. They have acknowledged it when they acknowledged
its newest material version or a later one.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery

from freelancers.models import Freelancer

from .models import GENESIS_HASH, SOP, Acknowledgment, SOPVersion, sha256_text

# The statuses of a live task: tasks.models.Task.LIVE_STATUSES (a test keeps the two equal).
LIVE_TASK_STATUSES = ("open", "in_progress")


def _material_versions(sop_ref: str = "pk") -> QuerySet[SOPVersion]:
    return SOPVersion.objects.filter(sop=OuterRef(sop_ref), material=True).order_by("-number")


def with_current_version(queryset: QuerySet[SOP]) -> QuerySet[SOP]:
    """Annotate each SOP with the version to acknowledge and the newest version, as subqueries.

    ``current_version_id`` and ``current_number`` name the newest material version (None for an
    SOP without versions); ``latest_version_id`` and ``latest_number`` the newest version of any
    kind: the text freelancers are given to read, since acknowledging it also counts.
    """
    latest = SOPVersion.objects.filter(sop=OuterRef("pk")).order_by("-number")
    return queryset.annotate(
        current_version_id=Subquery(_material_versions().values("pk")[:1]),
        current_number=Subquery(_material_versions().values("number")[:1]),
        latest_version_id=Subquery(latest.values("pk")[:1]),
        latest_number=Subquery(latest.values("number")[:1]),
    )


def current_acknowledgments() -> QuerySet[Acknowledgment]:
    """Acknowledgements that still count: of the version to acknowledge or a later one."""
    return Acknowledgment.objects.filter(
        version__sop__archived=False,
        version__number__gte=Subquery(_material_versions("version__sop").values("number")[:1]),
    )


@dataclass(frozen=True)
class SOPRow:
    pk: int
    title: str
    slug: str
    summary: str
    applies_to_all: bool
    current_version_id: int
    current_number: int
    latest_version_id: int
    latest_number: int


@dataclass(frozen=True)
class FreelancerRow:
    pk: int
    name: str
    email: str


@dataclass
class Requirements:
    """Who must acknowledge which SOP, and who has: pairs of (freelancer id, SOP id)."""

    sops: dict[int, SOPRow] = field(default_factory=dict)
    freelancers: dict[int, FreelancerRow] = field(default_factory=dict)
    required: set[tuple[int, int]] = field(default_factory=set)
    acknowledged: set[tuple[int, int]] = field(default_factory=set)
    _coverage: dict | None = field(default=None, repr=False)

    @property
    def outstanding(self) -> set[tuple[int, int]]:
        return self.required - self.acknowledged

    def is_required(self, freelancer_id: int, sop_id: int) -> bool:
        return (freelancer_id, sop_id) in self.required

    def outstanding_by_freelancer(self) -> dict[int, list[SOPRow]]:
        """Freelancer id -> the SOPs they still have to acknowledge, by title."""
        result: dict[int, list[SOPRow]] = defaultdict(list)
        for freelancer_id, sop_id in self.outstanding:
            result[freelancer_id].append(self.sops[sop_id])
        for rows in result.values():
            rows.sort(key=lambda row: (row.title.lower(), row.pk))
        return dict(result)

    def coverage(self, sop_id: int) -> "Coverage":
        """The freelancers who must acknowledge one SOP, split into done and outstanding."""
        return self.coverage_by_sop().get(sop_id, Coverage(acknowledged=[], outstanding=[]))

    def coverage_by_sop(self) -> dict[int, "Coverage"]:
        """Coverage of every SOP, grouped in one pass over the pairs (and cached)."""
        if self._coverage is None:
            done: dict[int, list[FreelancerRow]] = defaultdict(list)
            todo: dict[int, list[FreelancerRow]] = defaultdict(list)
            for pair in self.required:
                freelancer_id, sop_id = pair
                row = self.freelancers[freelancer_id]
                (done if pair in self.acknowledged else todo)[sop_id].append(row)
            key = lambda row: (row.name.lower(), row.pk)  # noqa: E731
            self._coverage = {
                sop_id: Coverage(
                    acknowledged=sorted(done[sop_id], key=key),
                    outstanding=sorted(todo[sop_id], key=key),
                )
                for sop_id in self.sops
            }
        return self._coverage


@dataclass(frozen=True)
class Coverage:
    acknowledged: list[FreelancerRow]
    outstanding: list[FreelancerRow]

    @property
    def required_count(self) -> int:
        return len(self.acknowledged) + len(self.outstanding)

    @property
    def percent(self) -> int | None:
        if not self.required_count:
            return None
        return round(100 * len(self.acknowledged) / self.required_count)


def requirements(
    *,
    freelancers: QuerySet[Freelancer] | None = None,
    sops: QuerySet[SOP] | None = None,
) -> Requirements:
    """Who must acknowledge what, in four queries whatever the size of the network.

    ``freelancers`` and ``sops`` narrow the answer (one freelancer for the portal, one SOP for its
    page, the not-recently-reminded for the reminders). The database does the joins; Python only
    pairs the SOPs that apply to all with the freelancers who have live work.
    """
    result = Requirements()
    sop_qs = with_current_version(SOP.objects.filter(archived=False)).filter(
        current_number__isnull=False
    )
    if sops is not None:
        sop_qs = sop_qs.filter(pk__in=sops.values("pk"))
    # 1. The SOPs that can be required: not archived, with a version to acknowledge.
    for row in sop_qs.values(
        "pk",
        "title",
        "slug",
        "summary",
        "applies_to_all",
        "current_version_id",
        "current_number",
        "latest_version_id",
        "latest_number",
    ):
        result.sops[row["pk"]] = SOPRow(**row)
    if not result.sops:
        return result

    live_work = {
        "assignments__ended_at__isnull": True,
        "assignments__task__status__in": LIVE_TASK_STATUSES,
    }
    if sops is not None and not any(row.applies_to_all for row in result.sops.values()):
        # Only tasks can require these SOPs: only those tasks' people can owe them (one SOP's
        # page then costs what the SOP is used for, not what the whole network is).
        live_work["assignments__task__required_sops__in"] = list(result.sops)
    working = Freelancer.objects.filter(**live_work)
    if freelancers is not None:
        working = working.filter(pk__in=freelancers.values("pk"))
    # 2. Freelancers with an active assignment on a live task (only they can owe anything).
    for row in working.values("pk", "name", "email").order_by().distinct():
        result.freelancers[row["pk"]] = FreelancerRow(**row)
    if not result.freelancers:
        return result

    applies_to_all = [pk for pk, row in result.sops.items() if row.applies_to_all]
    for freelancer_id in result.freelancers:
        result.required.update((freelancer_id, sop_id) for sop_id in applies_to_all)
    # 3. SOPs required by a live task on which the freelancer has an active assignment. All the
    # conditions go in one filter() call so that they hold for the same assignment and task.
    conditions = {
        "assignments__ended_at__isnull": True,
        "assignments__task__status__in": LIVE_TASK_STATUSES,
        "assignments__task__required_sops__archived": False,
    }
    # 4. Acknowledgements that still count.
    acknowledged = current_acknowledgments()
    if freelancers is not None:
        conditions["pk__in"] = freelancers.values("pk")
        acknowledged = acknowledged.filter(freelancer__in=freelancers.values("pk"))
    if sops is not None:
        conditions["assignments__task__required_sops__in"] = sops.values("pk")
        acknowledged = acknowledged.filter(version__sop__in=sops.values("pk"))
    by_task = Freelancer.objects.filter(**conditions)
    for pair in by_task.values_list("pk", "assignments__task__required_sops").order_by().distinct():
        if pair[1] in result.sops:  # an SOP without versions asks nothing of anyone
            result.required.add(pair)
    for pair in acknowledged.values_list("freelancer_id", "version__sop_id").order_by().distinct():
        if pair in result.required:
            result.acknowledged.add(pair)
    return result


def sop_list() -> QuerySet[SOP]:
    """Every SOP for the owners' list: live ones first, with their version numbers annotated."""
    return with_current_version(SOP.objects.all()).order_by("archived", "title", "pk")


def version_history(sop: SOP) -> QuerySet[SOPVersion]:
    """An SOP's versions, newest first, with who published them."""
    return sop.versions.select_related("published_by").order_by("-number")


def last_acknowledged_version(freelancer: Freelancer, sop: SOP) -> Acknowledgment | None:
    """The freelancer's acknowledgement of the highest version of this SOP, if any."""
    return (
        Acknowledgment.objects.filter(freelancer=freelancer, version__sop=sop)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


# --- The hash chain -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    record_id: int
    freelancer: str
    version: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"acknowledgement #{self.record_id} (freelancer {self.freelancer}, "
            f"version {self.version}): {'; '.join(self.problems)}"
        )


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_acknowledgment_chain(chunk_size: int = 2000) -> ChainReport:
    """Walk every acknowledgement in id order and re-compute its evidence.

    Each record must link to the previous record's ``record_hash`` (the first to GENESIS_HASH),
    its ``record_hash`` must equal ``compute_hash()``, and its ``content_sha256`` must equal both
    its version's recorded hash and the SHA-256 of the version's body as stored now. Streams the
    table, hashing each version's body once.
    """
    report = ChainReport()
    version_hashes: dict[int, tuple[str, str, str]] = {}
    for version in SOPVersion.objects.select_related("sop").only(
        "pk", "number", "body", "content_sha256", "sop__title"
    ):
        version_hashes[version.pk] = (
            f"{version.sop.title} v{version.number} (#{version.pk})",
            version.content_sha256,
            sha256_text(version.body),
        )
    names = dict(Freelancer.objects.values_list("pk", "name"))
    previous_record_hash: str | None = None
    previous_id: int | None = None
    records: Iterable[Acknowledgment] = Acknowledgment.objects.order_by("pk").iterator(
        chunk_size=chunk_size
    )
    for record in records:
        report.checked += 1
        problems = []
        expected_previous = GENESIS_HASH if previous_id is None else previous_record_hash
        if record.previous_hash != expected_previous:
            if previous_id is None:
                problems.append("previous_hash is not the genesis hash of the first record")
            else:
                problems.append(f"previous_hash does not match the record_hash of #{previous_id}")
        if record.record_hash != record.compute_hash():
            problems.append("record_hash does not match the record's contents")
        label, version_hash, body_hash = version_hashes.get(
            record.version_id, (f"#{record.version_id}", "", "")
        )
        if record.content_sha256 != version_hash:
            problems.append("content_sha256 differs from the version's recorded hash")
        if record.content_sha256 != body_hash:
            problems.append("content_sha256 differs from the SHA-256 of the version's text")
        if problems:
            freelancer = f"{names.get(record.freelancer_id, '?')} (#{record.freelancer_id})"
            report.problems.append(
                ChainProblem(
                    record_id=record.pk,
                    freelancer=freelancer,
                    version=label,
                    problems=tuple(problems),
                )
            )
        previous_record_hash = record.record_hash
        previous_id = record.pk
    return report
