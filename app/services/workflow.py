"""The one service path that changes a ticket's state.

``fire_trigger`` checks who may fire a trigger, fires the state machine, updates
the working-day clock, writes the history row and any outbox mail, and commits
once. Views, the CLI and tasks all call it; none sets ``Ticket.state`` itself.
"""

import logging
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Account, HistoryEvent, Ticket
from app.models.tickets import EVENT_FIRST_APPROVAL, EVENT_TRANSITION
from app.models.types import utcnow
from app.services import clock
from app.services.calendar import working_calendar
from app.services.errors import InvalidInput, NotAllowed, TicketChanged, TransitionRefused
from app.services.dispatch import enqueue_after_commit
from app.services.outbox import Recipient, queue_mail
from workflows import ticket_machine as machine

logger = logging.getLogger(__name__)

APPLY_TASK = "tasks.apply.apply_ticket"

# Mail sent to the requester after a trigger, by template name.
REQUESTER_MAILS = {
    "ask_requester": "question_from_helpdesk",
    "reject": "rejected",
    "answer": "question_answered",
    "withdraw": "withdrawal_confirmed",
    "apply": "role_applied",
}


def actor_kind(ticket: Ticket, account: Account | None) -> str | None:
    """Return how ``account`` relates to ``ticket`` for the workflow: agent, requester or system."""
    if account is None:
        return machine.SYSTEM
    if account.is_agent:
        return machine.AGENT
    if account.id == ticket.requester_id:
        return machine.REQUESTER
    return None


def allowed_triggers(ticket: Ticket, account: Account | None) -> list[str]:
    """Return the triggers ``account`` may fire on ``ticket`` now, for showing buttons."""
    if account is not None and account.id == ticket.requester_id:
        # An agent's own request shows the requester's actions only.
        return machine.allowed_triggers(ticket.kind, ticket.state, machine.REQUESTER)
    kind = actor_kind(ticket, account)
    if kind is None:
        return []
    return machine.allowed_triggers(ticket.kind, ticket.state, kind)


def _check_actor(ticket: Ticket, trigger: str, account: Account | None) -> None:
    required = machine.actor_for(ticket.kind, trigger)
    if required is None:
        raise TransitionRefused(detail=f"no trigger {trigger!r} for a {ticket.kind} request")
    if required == machine.SYSTEM and account is None:
        return
    if required == machine.AGENT and account is not None and account.is_agent:
        if account.id == ticket.requester_id:
            # Segregation of duties: an agent never reviews or approves a request of their own.
            raise NotAllowed(
                _l("Je kunt je eigen verzoek niet behandelen. Vraag een collega om het op te pakken."),
                detail=f"agent {account.id} is the requester of ticket {ticket.id}",
            )
        return
    if required == machine.REQUESTER and account is not None and account.id == ticket.requester_id:
        return
    raise NotAllowed(detail=f"{trigger!r} needs the {required}; account "
                     f"{account.id if account else None} is not that for ticket {ticket.id}")


def _needs_second_approval(ticket: Ticket, account: Account | None) -> bool:
    role = ticket.wanted_role
    if role is None or not role.four_eyes:
        return False
    if ticket.first_approver_id is None:
        return True
    if account is not None and ticket.first_approver_id == account.id:
        raise NotAllowed(
            _l("Je hebt dit verzoek al goedgekeurd. Een andere helpdeskmedewerker moet de "
               "tweede goedkeuring geven."),
            detail=f"account {account.id} gave the first approval of ticket {ticket.id}",
        )
    return False


def _update_clock(ticket: Ticket, trigger: str, target: str, now: datetime) -> None:
    if trigger == "ask_requester":
        clock.pause(ticket, now)
    elif trigger == "requester_replied":
        clock.resume(ticket, now)
    elif trigger == "reopen":
        clock.reopen(ticket, now)
    elif target in machine.FINAL_STATES and ticket.closed_at is None:
        clock.close(ticket, now, counts_for_sla=target in machine.SLA_FINAL_STATES)


def _record(ticket: Ticket, account: Account | None, kind: str, **fields) -> HistoryEvent:
    history = HistoryEvent(ticket_id=ticket.id, actor_id=account.id if account else None,
                           kind=kind, **fields)
    db.session.add(history)
    return history


def fire_trigger(
    ticket: Ticket,
    trigger: str,
    account: Account | None,
    text: str = "",
    expected_version: int | None = None,
) -> HistoryEvent:
    """Fire ``trigger`` on ``ticket`` for ``account`` (None for the worker) and commit.

    ``text`` is the question, reason or reply the trigger carries. ``expected_version``
    is the version the actor's page showed, so a decision made on an outdated page is
    refused rather than applied.

    Raises:
        NotAllowed: ``account`` may not fire this trigger (HTTP 403).
        TransitionRefused: the trigger cannot fire in the current state (HTTP 409).
        TicketChanged: someone else changed the ticket first (HTTP 409).
        InvalidInput: a reason or message is required and missing (HTTP 422).
    Any error rolls the whole transaction back, so the row and its history stay as they were.
    """
    try:
        history = _fire(ticket, trigger, account, text, expected_version)
    except StaleDataError:
        # An autoflush inside the trigger can meet the lost race before the commit does.
        _reject_conflict(ticket, trigger, account)
    except Exception:
        db.session.rollback()
        raise
    commit_ticket_change(ticket, trigger, account)
    return history


def _reject_conflict(ticket: Ticket, action: str, account: Account | None) -> None:
    db.session.rollback()
    logger.warning("ticket %s changed meanwhile; %s by account %s rejected",
                   ticket.id, action, account.id if account else None)
    raise TicketChanged(detail=f"ticket {ticket.id} was changed by another session") from None


def commit_ticket_change(ticket: Ticket, action: str, account: Account | None) -> None:
    """Commit the session, turning a lost optimistic-lock race into TicketChanged.

    Any error rolls the whole transaction back.
    """
    try:
        db.session.commit()
    except StaleDataError:
        _reject_conflict(ticket, action, account)
    except Exception:
        db.session.rollback()
        raise


def _fire(ticket: Ticket, trigger: str, account: Account | None, text: str,
          expected_version: int | None) -> HistoryEvent:
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(detail=f"ticket {ticket.id} is at version {ticket.version}, "
                                   f"the page showed {expected_version}")
    _check_actor(ticket, trigger, account)
    text = (text or "").strip()
    if trigger in machine.TEXT_REQUIRED and not text:
        raise InvalidInput(_l("Vul een toelichting in; die is nodig voor deze actie."),
                           detail=f"{trigger!r} needs text")

    second_needed = trigger == "approve" and _needs_second_approval(ticket, account)
    source = ticket.state
    try:
        target = machine.fire(ticket.kind, source, trigger, needs_second_approval=second_needed)
    except machine.InvalidTransition as error:
        logger.warning("ticket %s: %s", ticket.id, error)
        raise TransitionRefused(detail=str(error)) from None

    now = utcnow()
    if second_needed:
        ticket.first_approver_id = account.id
        history = _record(ticket, account, EVENT_FIRST_APPROVAL, trigger=trigger,
                          from_state=source, to_state=source, reason=text)
        logger.info("ticket %s: first approval by account %s", ticket.id, account.id)
        return history

    _apply_side_effects(ticket, trigger, account, now)
    ticket.state = target
    _update_clock(ticket, trigger, target, now)
    history = _record(ticket, account, EVENT_TRANSITION, trigger=trigger,
                      from_state=source, to_state=target, reason=text)
    mail = REQUESTER_MAILS.get(trigger)
    if mail is not None:
        queue_mail(mail, Recipient.of(ticket.requester), {"text": text}, ticket=ticket)
    if target == machine.APPROVED:
        enqueue_after_commit(db.session, APPLY_TASK, ticket.id)
    logger.info("ticket %s: %s -> %s (trigger %s, account %s)", ticket.id, source, target,
                trigger, account.id if account else "system")
    return history


def _apply_side_effects(ticket: Ticket, trigger: str, account: Account | None, now: datetime) -> None:
    if account is not None and account.is_agent and account.id != ticket.requester_id:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            waited = working_calendar().between(ticket.submitted_at, now)
            ticket.first_response_seconds = int(waited.total_seconds())
    if trigger == "start_review" and ticket.assignee_id is None:
        ticket.assignee_id = account.id
    if trigger == "reopen":
        ticket.first_approver_id = None
        ticket.apply_error = None
