"""Applying an approved request to the account directory, in process."""

import sys
import types

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, HistoryEvent, OutboxMail, RequestLine, Ticket
from app.services import apply
from app.services.accounts import role_by_code
from app.services.intake import submit_request
from app.services.workflow import fire_trigger
from tasks.apply import RetryableApplyFailure, apply_ticket
from tests.factories import make_account, make_agent, make_ticket
from tests.flaky_directory import FlakyDirectory


def _approve(ticket: Ticket) -> Ticket:
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    fire_trigger(ticket, "approve", agent)
    return _reload(ticket)


def _reload(ticket: Ticket) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


def _events(ticket: Ticket, kind: str) -> list[HistoryEvent]:
    return db.session.scalars(select(HistoryEvent).where(
        HistoryEvent.ticket_id == ticket.id, HistoryEvent.kind == kind)).all()


def _mails(template: str) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.template == template))


@pytest.fixture
def flaky(app):
    directory = FlakyDirectory(failures=1)
    app.extensions["account_directory"] = directory
    return directory


def test_apply__changes_role_and_mails(app):
    ticket = _approve(make_ticket(wanted_role="teacher"))

    outcome = apply.apply_ticket(ticket.id)

    ticket = _reload(ticket)
    assert outcome == apply.DONE
    assert ticket.state == "applied"
    assert ticket.requester.role.code == "teacher"
    assert _mails("role_applied") == 1
    assert len(_events(ticket, "role_changed")) == 1


def test_apply__twice_changes_nothing(app):
    ticket = _approve(make_ticket(wanted_role="teacher"))
    apply.apply_ticket(ticket.id)
    events_before = db.session.scalar(select(func.count()).select_from(HistoryEvent))
    version_before = _reload(ticket).version

    outcome = apply.apply_ticket(ticket.id)

    assert outcome == apply.ALREADY_DONE
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent)) == events_before
    assert _reload(ticket).version == version_before
    assert _mails("role_applied") == 1


def test_apply__not_approved_is_skipped(app):
    ticket = make_ticket(wanted_role="teacher")

    assert apply.apply_ticket(ticket.id) == apply.NOT_APPROVED
    assert _reload(ticket).requester.role.code == "student"


def test_apply__failure_stays_approved(app, flaky):
    ticket = _approve(make_ticket(wanted_role="teacher"))

    with pytest.raises(apply.ApplyFailed):
        apply.apply_ticket(ticket.id)

    ticket = _reload(ticket)
    assert ticket.state == "approved"
    assert "reageert niet" in ticket.apply_error
    assert ticket.apply_attempts == 1
    assert ticket.requester.role.code == "student"
    failed = _events(ticket, "apply_failed")
    assert len(failed) == 1
    assert failed[0].internal
    assert _mails("role_applied") == 0


def test_apply__recovers_on_retry(app, flaky):
    ticket = _approve(make_ticket(wanted_role="teacher"))
    with pytest.raises(apply.ApplyFailed):
        apply.apply_ticket(ticket.id)

    outcome = apply.apply_ticket(ticket.id)

    ticket = _reload(ticket)
    assert outcome == apply.DONE
    assert ticket.state == "applied"
    assert ticket.apply_error is None
    assert ticket.apply_attempts == 2
    assert ticket.requester.role.code == "teacher"


def test_apply_task__failure_asks_for_retry(app, flaky):
    ticket = _approve(make_ticket(wanted_role="teacher"))

    with pytest.raises(RetryableApplyFailure):
        apply_ticket.run(ticket.id)


def test_apply_task__retry_is_declared():
    assert apply_ticket.autoretry_for == (RetryableApplyFailure,)
    assert apply_ticket.retry_backoff
    assert apply_ticket.max_retries > 0


def _list_request(accounts: list[Account], role: str = "workplace_trainer") -> Ticket:
    contact = make_account()
    lines = [RequestLine(account_id=account.id, email=account.email) for account in accounts]
    return submit_request(contact, "role_change", wanted_role=role_by_code(role),
                          text={"motivation": "Onze praktijkopleiders."}, lines=lines)


def test_apply_lines__failed_line_is_retried_alone(app):
    first, second = make_account(), make_account()
    directory = FlakyDirectory(failures=1, fail_for={second.id})
    app.extensions["account_directory"] = directory
    ticket = _approve(_list_request([first, second]))

    with pytest.raises(apply.ApplyFailed):
        apply.apply_ticket(ticket.id)
    ticket = _reload(ticket)
    states = [line.state for line in ticket.lines]
    error = ticket.apply_error
    outcome = apply.apply_ticket(ticket.id)

    assert states == ["applied", "failed"]
    assert "regel 2" in error
    assert outcome == apply.DONE
    ticket = _reload(ticket)
    assert [line.state for line in ticket.lines] == ["applied", "applied"]
    assert db.session.get(Account, first.id).role.code == "workplace_trainer"
    assert db.session.get(Account, second.id).role.code == "workplace_trainer"
    assert len(_events(ticket, "role_changed")) == 2
    assert directory.calls == 3


def test_apply_creation__without_service_marks_failure(app, monkeypatch):
    monkeypatch.setitem(sys.modules, "app.services.account_creation",
                        types.ModuleType("app.services.account_creation"))
    contact = make_account()
    line = RequestLine(email="nieuw@leerbedrijf.example", first_name="Nina", last_name="Nieuw")
    ticket = submit_request(contact, "account_creation", wanted_role=role_by_code("workplace_trainer"),
                            text={"motivation": "Nieuwe collega."}, lines=[line])
    ticket = _approve(ticket)

    with pytest.raises(apply.ApplyFailed) as raised:
        apply.apply_ticket(ticket.id)

    assert not raised.value.retryable
    ticket = _reload(ticket)
    assert ticket.state == "approved"
    assert "not installed" in ticket.apply_error
    assert apply_ticket.run(ticket.id) == "failed"
