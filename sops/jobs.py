"""Celery jobs of the sops app: thin adapters around ``sops.services``."""

from celery import shared_task

from .services import send_acknowledgment_reminders

# A failed e-mail releases its reminder; retry a few times, ten minutes apart, then give up until
# tomorrow's run.
RETRY_DELAY_SECONDS = 600


@shared_task(bind=True, acks_late=True, max_retries=3, ignore_result=True)
def remind_outstanding_acknowledgments(self) -> dict:
    """Daily (django-celery-beat): e-mail freelancers who still have SOPs to acknowledge.

    Safe to deliver twice: the service claims a reminder row per freelancer before sending.
    """
    run = send_acknowledgment_reminders()
    if run.failed and self.request.retries < self.max_retries and not self.request.is_eager:
        raise self.retry(countdown=RETRY_DELAY_SECONDS)
    return {"sent": run.sent, "failed": run.failed}
