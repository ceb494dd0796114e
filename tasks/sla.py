"""The periodic working-day sweep."""

from celery import shared_task

from app.services import sla_sweep


@shared_task(name="tasks.sla.sweep")
def sweep() -> int:
    """Record and mail requests that crossed the at-risk or breach point; return how many."""
    return sla_sweep.sweep()
