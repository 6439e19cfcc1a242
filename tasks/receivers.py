"""Re-scan the tasks that a change in a lower app touches. Receivers only queue jobs."""

from django.dispatch import receiver

from freelancers.signals import vetting_decided
from sops.signals import sop_acknowledged, sop_published

from .jobs import scan_task
from .models import Task
from .queueing import enqueue_on_commit


def _queue_scans(task_ids) -> None:
    for task_id in task_ids:
        enqueue_on_commit(scan_task, task_id)


@receiver(vetting_decided)
def rescan_after_vetting(sender, freelancer, **kwargs) -> None:
    _queue_scans(
        Task.objects.live()
        .filter(assignments__freelancer=freelancer, assignments__ended_at__isnull=True)
        .values_list("pk", flat=True)
        .distinct()
    )


@receiver(sop_published)
def rescan_after_publication(sender, sop, version, **kwargs) -> None:
    if not version.material:
        return  # a typo fix changes nobody's obligations
    tasks = Task.objects.live().filter(assignments__ended_at__isnull=True)
    if not sop.applies_to_all:
        tasks = tasks.filter(required_sops=sop)
    _queue_scans(tasks.values_list("pk", flat=True).distinct())


@receiver(sop_acknowledged)
def rescan_after_acknowledgment(sender, acknowledgment, **kwargs) -> None:
    _queue_scans(
        Task.objects.live()
        .filter(
            assignments__freelancer_id=acknowledgment.freelancer_id,
            assignments__ended_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
