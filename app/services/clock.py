"""The working-day clock of a ticket: start, pause, resume, close and reopen.

Stored fields (UTC moments, business seconds) are kept so SLA reports can
aggregate them in SQL without replaying history.
"""

from datetime import datetime, timedelta

from app.models import Ticket
from app.services.calendar import calendar_settings, working_calendar

AT_RISK_SHARE = 0.75


def _target(ticket: Ticket) -> timedelta:
    return timedelta(minutes=ticket.sla_minutes)


def _schedule(ticket: Ticket, now: datetime, remaining: timedelta) -> None:
    calendar = working_calendar()
    ticket.due_at = calendar.add(now, remaining)
    # The at-risk point lies a quarter of the target before the due time.
    before_due = _target(ticket) * (1 - AT_RISK_SHARE)
    ticket.at_risk_at = calendar.add(now, max(remaining - before_due, timedelta(0)))


def start(ticket: Ticket, now: datetime) -> None:
    """Start a fresh working day for ``ticket`` at ``now``."""
    ticket.sla_minutes = calendar_settings().sla_minutes
    ticket.clock_started_at = now
    ticket.waiting_seconds = 0
    ticket.paused_at = None
    ticket.remaining_seconds = None
    _schedule(ticket, now, _target(ticket))
    if ticket.original_due_at is None:
        ticket.original_due_at = ticket.due_at


def pause(ticket: Ticket, now: datetime) -> None:
    """Stop the clock while the ticket waits for the requester."""
    remaining = working_calendar().between(now, ticket.due_at)
    ticket.remaining_seconds = int(remaining.total_seconds())
    ticket.paused_at = now


def resume(ticket: Ticket, now: datetime) -> None:
    """Run the clock again from where it stopped; only the requester's reply calls this."""
    if ticket.paused_at is None:
        return
    waited = working_calendar().between(ticket.paused_at, now)
    ticket.waiting_seconds += int(waited.total_seconds())
    _schedule(ticket, now, timedelta(seconds=ticket.remaining_seconds or 0))
    ticket.paused_at = None
    ticket.remaining_seconds = None


def close(ticket: Ticket, now: datetime, counts_for_sla: bool) -> None:
    """Record the handling time and whether the promise was kept.

    A request closed exactly at its due time counts as within the promise.
    """
    resume(ticket, now)
    worked = working_calendar().between(ticket.clock_started_at, now)
    handling = worked - timedelta(seconds=ticket.waiting_seconds)
    ticket.closed_at = now
    ticket.handling_seconds = max(int(handling.total_seconds()), 0)
    ticket.sla_met = (handling <= _target(ticket)) if counts_for_sla else None


def reopen(ticket: Ticket, now: datetime) -> None:
    """Start a fresh working day after a rejection is undone; no breach is carried over."""
    ticket.closed_at = None
    ticket.handling_seconds = None
    ticket.sla_met = None
    ticket.at_risk_notified_at = None
    ticket.breach_notified_at = None
    ticket.reopened_count += 1
    start(ticket, now)


def time_left(ticket: Ticket, now: datetime) -> timedelta | None:
    """Return the business time left (negative when overdue), or None for a closed ticket."""
    if ticket.closed_at is not None or ticket.due_at is None:
        return None
    if ticket.paused_at is not None:
        return timedelta(seconds=ticket.remaining_seconds or 0)
    calendar = working_calendar()
    if now <= ticket.due_at:
        return calendar.between(now, ticket.due_at)
    return -calendar.between(ticket.due_at, now)
