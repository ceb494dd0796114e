"""Apply an approved request to the account directory, line by line where it has lines.

The task in ``tasks/apply.py`` calls ``apply_ticket``; an agent's "retry" queues the
same task. Applying is safe to repeat: an applied request or line is skipped, and
the directory reports a role the account already has as no change.
"""

import importlib
import logging

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import KIND_ACCOUNT_CREATION, KIND_ROLE_CHANGE, HistoryEvent, RequestLine, Ticket
from app.models.tickets import (
    EVENT_APPLY_FAILED,
    EVENT_ROLE_CHANGED,
    LINE_APPLIED,
    LINE_FAILED,
    LINE_REJECTED,
)
from app.services.directory import DirectoryError, account_directory
from app.services.dispatch import enqueue_after_commit
from app.services.errors import NotAllowed, TicketChanged, TransitionRefused
from app.services.workflow import APPLY_TASK, fire_trigger
from workflows.ticket_machine import APPLIED, APPROVED

logger = logging.getLogger(__name__)

EVENT_APPLY_RETRY = "apply_retry"

# Outcomes returned to the task, for its log line and for tests.
DONE = "applied"
ALREADY_DONE = "already_applied"
NOT_APPROVED = "not_approved"
MISSING = "missing"


class ApplyFailed(Exception):
    """The directory refused or failed; the ticket stays approved with the error stored.

    ``retryable`` is False when trying again cannot help, e.g. a missing feature.
    """

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class CreationNotAvailable(Exception):
    """No account-creation service is installed, so an account_creation line cannot be applied."""


def _create_line_account(line: RequestLine, directory):
    """Create the account that a line requests, through the account-creation service.

    The service contract: ``app.services.account_creation.create_account_for_line(line,
    directory)`` adds the account (uncommitted) with the line's role, queues its
    set-password mail, and returns the account.
    """
    try:
        creation = importlib.import_module("app.services.account_creation")
    except ModuleNotFoundError:
        creation = None
    create = getattr(creation, "create_account_for_line", None)
    if create is None:
        raise CreationNotAvailable("account creation is not installed in this Roldesk")
    return create(line, directory)


def _apply_line(ticket: Ticket, line: RequestLine, directory) -> None:
    role = line.wanted_role or ticket.wanted_role
    if line.account is None and ticket.kind == KIND_ACCOUNT_CREATION:
        line.account = _create_line_account(line, directory)
    elif line.account is None:
        raise DirectoryError(f"line {line.position + 1} names no account")
    changed = directory.set_role(line.account, role)
    line.state = LINE_APPLIED
    line.outcome = ""
    if changed:
        _record_role_change(ticket, line.account_id or line.account.id, role.code)


def _record_role_change(ticket: Ticket, account_id: int | None, role_code: str) -> None:
    db.session.add(HistoryEvent(ticket_id=ticket.id, account_id=account_id,
                                kind=EVENT_ROLE_CHANGED, reason=role_code, internal=True))


def _apply_lines(ticket: Ticket, directory) -> list[str]:
    """Apply each line not applied yet; return the error of each line that failed."""
    errors = []
    for line in ticket.lines:
        if line.state in (LINE_APPLIED, LINE_REJECTED):
            continue
        try:
            with db.session.begin_nested():
                _apply_line(ticket, line, directory)
        except CreationNotAvailable as error:
            raise ApplyFailed(str(error), retryable=False) from None
        except DirectoryError as error:
            line.state = LINE_FAILED
            line.outcome = str(error)
            errors.append(f"{_l('regel')} {line.position + 1}: {error}")
    return errors


def _apply_own_account(ticket: Ticket, directory) -> None:
    if ticket.kind != KIND_ROLE_CHANGE or ticket.wanted_role is None:
        raise ApplyFailed(f"a {ticket.kind} request without lines has nothing to apply",
                          retryable=False)
    if directory.set_role(ticket.requester, ticket.wanted_role):
        _record_role_change(ticket, ticket.requester_id, ticket.wanted_role.code)


def _record_failure(ticket_id: int, message: str) -> None:
    """Store the error on the ticket in a transaction of its own, after the failed one rolled back."""
    db.session.rollback()
    ticket = db.session.get(Ticket, ticket_id)
    ticket.apply_error = message
    ticket.apply_attempts += 1
    db.session.add(HistoryEvent(ticket_id=ticket.id, kind=EVENT_APPLY_FAILED, reason=message,
                                internal=True))
    db.session.commit()


def apply_ticket(ticket_id: int) -> str:
    """Apply the approved request ``ticket_id`` and fire ``apply``; return what happened.

    Raises:
        ApplyFailed: the directory failed; the error is stored on the ticket and the
            ticket stays approved. Lines that did succeed stay applied.
    """
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return MISSING
    if ticket.state == APPLIED:
        return ALREADY_DONE
    if ticket.state != APPROVED:
        return NOT_APPROVED
    directory = account_directory()
    try:
        if ticket.lines:
            errors = _apply_lines(ticket, directory)
            if errors:
                db.session.commit()
                raise ApplyFailed("; ".join(errors))
        else:
            _apply_own_account(ticket, directory)
        ticket.apply_error = None
        ticket.apply_attempts += 1
        fire_trigger(ticket, "apply", None)
    except ApplyFailed as error:
        _record_failure(ticket_id, str(error))
        logger.warning("ticket %s: applying failed: %s", ticket_id, error)
        raise
    except (DirectoryError, ConnectionError, TimeoutError) as error:
        _record_failure(ticket_id, str(error) or type(error).__name__)
        logger.warning("ticket %s: directory failed: %s", ticket_id, error)
        raise ApplyFailed(str(error) or type(error).__name__) from error
    except TicketChanged:
        # Another worker applied it at the same moment; its commit is the one that counts.
        db.session.rollback()
        logger.info("ticket %s: applied by another worker meanwhile", ticket_id)
        return ALREADY_DONE
    logger.info("ticket %s: applied", ticket_id)
    return DONE


def request_retry(ticket: Ticket, account, expected_version: int | None = None) -> None:
    """Queue the apply task again for an approved ticket, at an agent's request, and commit."""
    if account is None or not account.is_agent:
        raise NotAllowed(detail=f"retrying ticket {ticket.id} needs an agent")
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(detail=f"ticket {ticket.id} is at version {ticket.version}, "
                                   f"the page showed {expected_version}")
    if ticket.state != APPROVED:
        raise TransitionRefused(detail=f"ticket {ticket.id} is {ticket.state}, not approved")
    db.session.add(HistoryEvent(ticket_id=ticket.id, actor_id=account.id, kind=EVENT_APPLY_RETRY,
                                internal=True))
    enqueue_after_commit(db.session, APPLY_TASK, ticket.id)
    db.session.commit()
    logger.info("ticket %s: apply queued again by account %s", ticket.id, account.id)
