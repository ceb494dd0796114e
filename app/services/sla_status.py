"""Working-day status of open requests as SQL expressions: on track, at risk, breached.

The queue filters and the manager dashboard both use these, so they count alike.
A paused request keeps the status it had when the clock stopped.
"""

from datetime import datetime

from sqlalchemy import and_, case, not_, or_

from app.models import Ticket
from app.services.clock import AT_RISK_SHARE
from workflows.ticket_machine import OPEN_STATES

ON_TRACK = "on_track"
AT_RISK = "at_risk"
BREACHED = "breached"
SLA_STATUSES = (ON_TRACK, AT_RISK, BREACHED)

_is_open = Ticket.state.in_(OPEN_STATES)
_running = Ticket.paused_at.is_(None)
_paused = Ticket.paused_at.is_not(None)


def breached(now: datetime):
    return and_(_is_open, or_(
        and_(_running, Ticket.due_at < now),
        and_(_paused, Ticket.remaining_seconds <= 0),
    ))


def at_risk(now: datetime):
    """Past 75% of the target but not yet breached."""
    quarter_seconds = Ticket.sla_minutes * int(60 * (1 - AT_RISK_SHARE))
    return and_(_is_open, not_(breached(now)), or_(
        and_(_running, Ticket.at_risk_at <= now),
        and_(_paused, Ticket.remaining_seconds <= quarter_seconds),
    ))


def on_track(now: datetime):
    return and_(_is_open, not_(breached(now)), not_(at_risk(now)))


def status_filter(status: str, now: datetime):
    """Return the WHERE clause for ``status``, one of SLA_STATUSES."""
    return {ON_TRACK: on_track, AT_RISK: at_risk, BREACHED: breached}[status](now)


def status_column(now: datetime):
    """Return a CASE expression giving each open ticket's status name."""
    return case((breached(now), BREACHED), (at_risk(now), AT_RISK), else_=ON_TRACK)
