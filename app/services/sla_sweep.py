"""The periodic working-day sweep: notice requests that became at risk or breached.

A request is at risk once 75% of its time is used and breached once its due time
has passed; a request closed exactly at its due time kept the promise.

Each run reads only running requests past a threshold whose notification is not
yet recorded, through the (state, at_risk_at) and (state, due_at) indexes. A
conditional UPDATE records the notification, so of two sweeps running at once
only one sees its UPDATE match the row; that one writes the history row and the
mails in the same transaction.
"""

import logging
from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import STAFF_AGENT, STAFF_MANAGER, Account, HistoryEvent, StaffMembership, Ticket
from app.models.tickets import EVENT_AT_RISK, EVENT_BREACHED
from app.models.types import utcnow
from app.services.outbox import Recipient, queue_mail
from workflows.ticket_machine import CLOCK_RUNNING_STATES

logger = logging.getLogger(__name__)

# Tickets handled per run; the next run, a minute later, takes the rest.
BATCH_SIZE = 200


def _staff(kind: str) -> list[Account]:
    return list(db.session.scalars(
        select(Account).join(StaffMembership)
        .where(StaffMembership.kind == kind, Account.is_active_account.is_(True))
        .order_by(Account.id)
    ))


def _at_risk_candidates(now: datetime) -> list[int]:
    return list(db.session.scalars(
        select(Ticket.id)
        .where(Ticket.state.in_(CLOCK_RUNNING_STATES), Ticket.at_risk_at <= now,
               Ticket.due_at >= now, Ticket.at_risk_notified_at.is_(None))
        .order_by(Ticket.at_risk_at)
        .limit(BATCH_SIZE)
    ))


def _breach_candidates(now: datetime) -> list[int]:
    return list(db.session.scalars(
        select(Ticket.id)
        .where(Ticket.state.in_(CLOCK_RUNNING_STATES), Ticket.due_at < now,
               Ticket.breach_notified_at.is_(None))
        .order_by(Ticket.due_at)
        .limit(BATCH_SIZE)
    ))


def _claim(ticket_id: int, now: datetime, breach: bool) -> bool:
    """Record the notification unless another sweep or a state change came first."""
    conditions = [Ticket.id == ticket_id, Ticket.state.in_(CLOCK_RUNNING_STATES)]
    if breach:
        conditions += [Ticket.due_at < now, Ticket.breach_notified_at.is_(None)]
        # A request that crossed both points between two runs gets only the breach mail.
        values = {"breach_notified_at": now,
                  "at_risk_notified_at": func.coalesce(Ticket.at_risk_notified_at, now)}
    else:
        conditions += [Ticket.at_risk_at <= now, Ticket.due_at >= now,
                       Ticket.at_risk_notified_at.is_(None)]
        values = {"at_risk_notified_at": now}
    result = db.session.execute(
        update(Ticket).where(*conditions).values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _notify(ticket_id: int, now: datetime, breach: bool) -> bool:
    if not _claim(ticket_id, now, breach):
        db.session.rollback()
        return False
    ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
    db.session.add(HistoryEvent(ticket_id=ticket_id, kind=EVENT_BREACHED if breach else EVENT_AT_RISK,
                                at=now, internal=True))
    if breach:
        template, recipients = "breach_escalation", _staff(STAFF_MANAGER)
    else:
        template = "at_risk_warning"
        recipients = [ticket.assignee] if ticket.assignee is not None else _staff(STAFF_AGENT)
    for account in recipients:
        queue_mail(template, Recipient.of(account), {}, ticket=ticket)
    db.session.commit()
    logger.info("ticket %s (%s): %s recorded, %s mails queued", ticket_id, ticket.reference,
                "breach" if breach else "at risk", len(recipients))
    return True


def sweep(now: datetime | None = None) -> int:
    """Record and mail requests that crossed the at-risk or breach point; return how many."""
    now = now or utcnow()
    marked = 0
    for ticket_id in _breach_candidates(now):
        marked += _notify(ticket_id, now, breach=True)
    for ticket_id in _at_risk_candidates(now):
        marked += _notify(ticket_id, now, breach=False)
    db.session.commit()
    return marked
