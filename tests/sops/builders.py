"""Builders for SOP tests: SOPs published through the services, live work through factories."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sops import services
from tests import factories

User = get_user_model()


def author():
    """The owner who publishes; looked up first, since hashing a new password is slow."""
    existing = User.objects.filter(username="author").first()
    if existing:
        return existing
    # A transactional (browser) test that ran before may have emptied the data-migration rows.
    Group.objects.get_or_create(name="Owners")
    return factories.OwnerFactory(username="author")


def make_sop(title: str, body: str = "# Steps\n\n1. Do it.\n", *, applies_to_all=False, by=None):
    """An SOP with version 1 published through the service (so hashes are real)."""
    return services.create_sop(
        title=title, body=body, by=by or author(), applies_to_all=applies_to_all
    )


def publish(sop, body: str, *, material=True, note="Changed", by=None):
    return services.publish_sop_version(
        sop, body=body, change_note=note, by=by or author(), material=material
    )


def live_task_requiring(*sops, freelancer=None, **task_fields):
    """A live task requiring ``sops``, with ``freelancer`` (if given) actively assigned."""
    task = factories.TaskFactory(required_sops=list(sops), **task_fields)
    if freelancer is not None:
        factories.AssignmentFactory(task=task, freelancer=freelancer)
    return task


def ack(freelancer, version, ip="127.0.0.1"):
    return services.acknowledge(freelancer, version, ip_address=ip, user_agent="pytest")
