"""Apply an approved request's role change to the account directory."""

import logging

from celery import shared_task

from app.services import apply

logger = logging.getLogger(__name__)


class RetryableApplyFailure(Exception):
    """A failure worth retrying: the directory may be back on the next attempt."""


@shared_task(
    name="tasks.apply.apply_ticket",
    autoretry_for=(RetryableApplyFailure,),
    # Celery waits a random time below 2, 4, 8 ... seconds (full jitter), capped at 600 s.
    # The cap stays below the broker's visibility timeout (3600 s), so Redis does not
    # hand a waiting retry to a second worker.
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def apply_ticket(ticket_id: int) -> str:
    """Apply the approved request ``ticket_id``; safe to run twice."""
    try:
        return apply.apply_ticket(ticket_id)
    except apply.ApplyFailed as error:
        if not error.retryable:
            logger.error("ticket %s: applying failed and will not be retried: %s", ticket_id, error)
            return "failed"
        raise RetryableApplyFailure(f"ticket {ticket_id}: {error}") from None
