"""Apply an approved request's role change to the account directory."""

from celery import shared_task


@shared_task(name="tasks.apply.apply_ticket")
def apply_ticket(ticket_id: int) -> None:
    """Apply the approved request ``ticket_id``."""
    # NOTE: applying roles is not built yet; approved requests stay approved.
    return None
