"""The hourly digest of new requests for agents, when ROLDESK_NEW_REQUEST_MAIL is "digest".

A digest covers one clock hour (UTC, which is a whole local hour in Europe/Amsterdam).
Its Message-ID is fixed by the hour and the agent, so the unique constraint on the
outbox stops a second sweep, or a second beat, from mailing an agent twice. Each run looks
back over several hours, so a digest missed while beat was down is sent late.
"""

import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import STAFF_AGENT, Account, OutboxMail, StaffMembership, Ticket
from app.models.types import utcnow
from app.services.outbox import Recipient, queue_mail

logger = logging.getLogger(__name__)

HOURS_LOOKED_BACK = 6


def _message_id(hour: datetime, account: Account) -> str:
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "roldesk.example"
    return f"<digest-{hour:%Y%m%d%H}-{account.id}@{domain}>"


def _agents() -> list[Account]:
    return list(db.session.scalars(
        select(Account).join(StaffMembership)
        .where(StaffMembership.kind == STAFF_AGENT, Account.is_active_account.is_(True))
        .order_by(Account.id)
    ))


def _queue_digest(hour: datetime, tickets: list[Ticket], agent: Account) -> bool:
    message_id = _message_id(hour, agent)
    if db.session.scalar(select(OutboxMail.id).where(OutboxMail.message_id == message_id)):
        return False
    try:
        with db.session.begin_nested():
            queue_mail("new_request_digest", Recipient.of(agent),
                       {"tickets": tickets, "hour": hour, "timedelta_hour": timedelta(hours=1)}, message_id=message_id)
    except IntegrityError:
        # Another sweep queued the same digest a moment ago.
        return False
    return True


def send_digests(now: datetime | None = None) -> int:
    """Queue a digest per agent for each recent hour with new requests; return how many."""
    if current_app.config.get("NEW_REQUEST_MAIL") != "digest":
        return 0
    now = now or utcnow()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    queued = 0
    for hours_back in range(HOURS_LOOKED_BACK, 0, -1):
        hour = this_hour - timedelta(hours=hours_back)
        tickets = list(db.session.scalars(
            select(Ticket)
            .where(Ticket.submitted_at >= hour, Ticket.submitted_at < hour + timedelta(hours=1))
            .order_by(Ticket.submitted_at)
        ))
        if not tickets:
            continue
        for agent in _agents():
            queued += _queue_digest(hour, tickets, agent)
        db.session.commit()
    if queued:
        logger.info("queued %s digests of new requests", queued)
    return queued
