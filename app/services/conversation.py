"""Writing on a ticket without changing its state: assigning, messages and internal notes.

Each function checks the actor, writes one history row, and commits once. Each also
raises the ticket's version, the optimistic lock that ``app.services.workflow.fire_trigger``
checks. So a colleague's decision made on a page that did not show this change is
refused as "changed meanwhile".
"""

import logging

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Account, HistoryEvent, Ticket
from app.models.tickets import EVENT_ASSIGN, EVENT_MESSAGE, EVENT_NOTE
from app.models.types import utcnow
from app.services.errors import InvalidInput, NotAllowed, TicketChanged
from app.services.outbox import Recipient, queue_mail
from app.services.workflow import commit_ticket_change

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 5000


def _check_agent(ticket: Ticket, account: Account) -> None:
    if account is None or not account.is_agent:
        raise NotAllowed(detail=f"account {account.id if account else None} is no agent; "
                                f"writing on ticket {ticket.id} needs one")


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(detail=f"ticket {ticket.id} is at version {ticket.version}, "
                                   f"the page showed {expected_version}")


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_l("Schrijf eerst een tekst."), detail="empty text")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput(_l("Maak de tekst korter: hoogstens %(count)s tekens.",
                              count=MAX_TEXT_LENGTH),
                           detail=f"text of {len(text)} characters, at most {MAX_TEXT_LENGTH}")
    return text


def _write(ticket: Ticket, account: Account, kind: str, reason: str, internal: bool) -> HistoryEvent:
    history = HistoryEvent(ticket_id=ticket.id, actor_id=account.id, kind=kind,
                           reason=reason, internal=internal)
    db.session.add(history)
    # Touching the row raises the version, which is what makes the lock bite.
    ticket.updated_at = utcnow()
    return history


def assign(ticket: Ticket, colleague: Account | None, account: Account,
           expected_version: int | None = None) -> HistoryEvent:
    """Make ``colleague`` (None to unassign) the ticket's assignee, as ``account``, and commit."""
    try:
        _check_agent(ticket, account)
        _check_version(ticket, expected_version)
        if colleague is not None and not colleague.is_agent:
            raise InvalidInput(_l("Kies een helpdeskmedewerker."),
                               detail=f"account {colleague.id} is no agent")
        ticket.assignee_id = colleague.id if colleague is not None else None
        name = colleague.full_name or colleague.email if colleague is not None else ""
        # Internal: the requester does not see which colleague handles the request.
        history = _write(ticket, account, EVENT_ASSIGN, name, internal=True)
    except Exception:
        db.session.rollback()
        raise
    commit_ticket_change(ticket, "assign", account)
    logger.info("ticket %s: assigned to account %s by account %s", ticket.id,
                colleague.id if colleague is not None else None, account.id)
    return history


def send_message(ticket: Ticket, text: str, account: Account,
                 expected_version: int | None = None) -> HistoryEvent:
    """Write a message to the requester, shown on their request and mailed, and commit."""
    try:
        _check_agent(ticket, account)
        _check_version(ticket, expected_version)
        text = _clean_text(text)
        history = _write(ticket, account, EVENT_MESSAGE, text, internal=False)
        queue_mail("message_from_helpdesk", Recipient.of(ticket.requester), {"text": text},
                   ticket=ticket)
    except Exception:
        db.session.rollback()
        raise
    commit_ticket_change(ticket, "message", account)
    logger.info("ticket %s: message to the requester by account %s", ticket.id, account.id)
    return history


def add_note(ticket: Ticket, text: str, account: Account,
             expected_version: int | None = None) -> HistoryEvent:
    """Write an internal note for colleagues, never shown or mailed to the requester, and commit."""
    try:
        _check_agent(ticket, account)
        _check_version(ticket, expected_version)
        history = _write(ticket, account, EVENT_NOTE, _clean_text(text), internal=True)
    except Exception:
        db.session.rollback()
        raise
    commit_ticket_change(ticket, "note", account)
    logger.info("ticket %s: internal note by account %s", ticket.id, account.id)
    return history
