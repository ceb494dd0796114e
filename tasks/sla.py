"""The periodic working-day sweep."""

from celery import shared_task


@shared_task(name="tasks.sla.sweep")
def sweep() -> int:
    """Find requests that crossed the at-risk or breach point; return how many were marked."""
    # NOTE: the sweep only exists as a scheduled name so far; it marks nothing yet.
    return 0
