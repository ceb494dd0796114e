"""Intake of new requests: the rules a request must pass, and creating the ticket."""

import logging
from collections.abc import Sequence

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.extensions import db
from app.models import (
    KIND_ACCOUNT_CREATION,
    KIND_QUESTION,
    KIND_ROLE_CHANGE,
    ORIGIN_ENTREE,
    STAFF_AGENT,
    Account,
    HistoryEvent,
    PlatformRole,
    RequestLine,
    StaffMembership,
    Ticket,
)
from app.models.types import utcnow
from app.services import clock
from app.services.errors import InvalidInput
from app.services.outbox import Recipient, queue_mail, queue_mail_to_each
from workflows.ticket_machine import OPEN_STATES, SUBMITTED

logger = logging.getLogger(__name__)


class IntakeRefused(InvalidInput):
    """A request that the intake rules refuse; ``open_ticket`` is the request it would duplicate."""

    def __init__(self, message, detail: str = "", open_ticket: Ticket | None = None):
        super().__init__(message, detail)
        self.open_ticket = open_ticket


def open_role_change_for(account: Account) -> Ticket | None:
    """Return the account's open role-change request, if it has one."""
    return db.session.scalars(
        select(Ticket).where(
            Ticket.requester_id == account.id,
            Ticket.kind == KIND_ROLE_CHANGE,
            Ticket.state.in_(OPEN_STATES),
        ).limit(1)
    ).first()


def check_role_change(account: Account, role: PlatformRole) -> None:
    """Raise IntakeRefused when ``account`` may not ask for ``role`` for itself."""
    if account.origin == ORIGIN_ENTREE:
        raise IntakeRefused(
            _l("Je logt in via Entree. Je school bepaalt dan je gebruikersrol, dus een verzoek "
               "is niet nodig. Klopt je rol niet? Neem contact op met je school."),
            detail=f"account {account.id} is an Entree account",
        )
    if account.role_id == role.id:
        raise IntakeRefused(
            _l("Je account heeft de rol %(role)s al. Kies een andere rol.",
               role=role.label(account.language)),
            detail=f"account {account.id} already has role {role.code}",
        )
    existing = open_role_change_for(account)
    if existing is not None:
        raise IntakeRefused(
            _l("Je hebt al een open verzoek om je rol te wijzigen (%(reference)s). "
               "Wacht tot dat is afgehandeld of trek het in.", reference=existing.reference),
            detail=f"account {account.id} has open request {existing.reference}",
            open_ticket=existing,
        )


def _agents_to_notify() -> list[Recipient]:
    """Return the agents to mail about a new request, or none when they get the hourly digest."""
    if current_app.config.get("NEW_REQUEST_MAIL") == "digest":
        return []  # the hourly digest (app/services/digest.py) lists the request instead
    agents = db.session.scalars(
        select(Account).join(StaffMembership).where(StaffMembership.kind == STAFF_AGENT)
        .options(lazyload(Account.memberships))
    ).all()
    return [Recipient.of(agent) for agent in agents]


def submit_request(
    requester: Account,
    kind: str,
    wanted_role: PlatformRole | None = None,
    text: dict | None = None,
    lines: Sequence[RequestLine] = (),
) -> Ticket:
    """Create a submitted request with its clock, history row and mails, and commit.

    ``text`` may carry ``motivation`` and ``subject``. Callers check the intake
    rules first (``check_role_change`` for a role change of one's own account).
    """
    if kind not in (KIND_ROLE_CHANGE, KIND_ACCOUNT_CREATION, KIND_QUESTION):
        raise ValueError(f"unknown request kind {kind!r}")
    text = text or {}
    now = utcnow()
    ticket = Ticket(
        kind=kind,
        state=SUBMITTED,
        requester_id=requester.id,
        school_id=requester.school_id,
        wanted_role_id=wanted_role.id if wanted_role is not None else None,
        motivation=(text.get("motivation") or "").strip(),
        subject=(text.get("subject") or "").strip(),
        language=requester.language or "nl",
        submitted_at=now,
    )
    ticket.requester = requester
    ticket.wanted_role = wanted_role
    for position, line in enumerate(lines):
        line.position = position
        ticket.lines.append(line)
    try:
        # Read before the ticket exists, so the ticket, its history row and all its mails
        # go to the database in one flush.
        agents = _agents_to_notify()
        clock.start(ticket, now)
        db.session.add(ticket)
        db.session.flush()
        ticket.reference = f"RD-{now.year}-{ticket.id:05d}"
        db.session.add(HistoryEvent(ticket_id=ticket.id, actor_id=requester.id, kind="transition",
                                    trigger="submit", from_state=None, to_state=SUBMITTED, at=now))
        queue_mail("request_received", Recipient.of(requester), {}, ticket=ticket)
        queue_mail_to_each("new_request", agents, {}, ticket=ticket)
        # Read before the commit, which expires the objects: reading them after it would
        # load the ticket and the account again.
        logged = (ticket.id, ticket.reference, requester.id)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("ticket %s (%s): submitted by account %s", *logged)
    return ticket
