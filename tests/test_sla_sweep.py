"""The working-day sweep: at-risk and breach mails, once each, at the right local times."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import HistoryEvent, OutboxMail, Ticket
from app.services import clock, sla_sweep
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_ticket

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


def submitted_at(moment: datetime, **ticket_options) -> Ticket:
    """Submit a request and move its clock to ``moment``, as if it was submitted then."""
    ticket = make_ticket(**ticket_options)
    ticket.submitted_at = moment
    ticket.original_due_at = None
    clock.start(ticket, moment)
    db.session.commit()
    return ticket


def mails(template: str) -> list[OutboxMail]:
    return list(db.session.scalars(
        select(OutboxMail).where(OutboxMail.template == template).order_by(OutboxMail.id)
    ))


def events(ticket: Ticket, kind: str) -> list[HistoryEvent]:
    return list(db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.ticket_id == ticket.id, HistoryEvent.kind == kind)
    ))


def moments(start: datetime, end: datetime, step=timedelta(minutes=1)) -> list[datetime]:
    count = int((end - start) / step) + 1
    return [start + step * index for index in range(count)]


def walk(sweep_moments: list[datetime]) -> None:
    for moment in sorted(set(sweep_moments)):
        sla_sweep.sweep(moment)


def test_untouched_request__mailed_once_each_on_time(app):
    agent = make_agent()
    manager = make_account(staff=("manager",), email="Manager@School.example")
    # Monday 10 March 2025 09:00: at risk after 382.5 of 510 minutes, due Tuesday 09:00.
    ticket = submitted_at(local(2025, 3, 10, 9, 0))

    # Every half hour, and every minute around the two points, in time order.
    walk([*moments(local(2025, 3, 10, 9, 0), local(2025, 3, 11, 9, 30), timedelta(minutes=30)),
          *moments(local(2025, 3, 10, 15, 15), local(2025, 3, 10, 15, 30)),
          *moments(local(2025, 3, 11, 8, 50), local(2025, 3, 11, 9, 10))])

    warnings = mails("at_risk_warning")
    escalations = mails("breach_escalation")
    assert [mail.to_address for mail in warnings] == [agent.email_normalized]
    assert [mail.to_address for mail in escalations] == [manager.email_normalized]
    at_risk = events(ticket, "at_risk")
    breached = events(ticket, "breached")
    assert len(at_risk) == 1
    assert len(breached) == 1
    assert at_risk[0].at.astimezone(AMSTERDAM) == local(2025, 3, 10, 15, 23)
    assert breached[0].at.astimezone(AMSTERDAM) == local(2025, 3, 11, 9, 1)
    assert ticket.reference in warnings[0].subject
    assert "dinsdag 11 maart 09:00" in warnings[0].body_text
    assert "te laat" in escalations[0].subject


def test_at_risk_warning__goes_to_assignee_only(app):
    make_agent()
    assignee = make_agent(email="behandelaar@school.example")
    ticket = submitted_at(local(2025, 3, 10, 9, 0))
    fire_trigger(ticket, "start_review", assignee)

    sla_sweep.sweep(local(2025, 3, 10, 16, 0))

    assert [mail.to_address for mail in mails("at_risk_warning")] == ["behandelaar@school.example"]


def test_sweep__skips_paused_and_closed_requests(app):
    agent = make_agent()
    make_account(staff=("manager",))
    waiting = submitted_at(local(2025, 3, 10, 9, 0))
    fire_trigger(waiting, "start_review", agent)
    fire_trigger(waiting, "ask_requester", agent, text="Welke school?")
    rejected = submitted_at(local(2025, 3, 10, 9, 0))
    fire_trigger(rejected, "reject", agent, text="Geen stageplek.")

    marked = sla_sweep.sweep(local(2025, 3, 12, 12, 0))

    assert marked == 0
    assert mails("at_risk_warning") == []
    assert mails("breach_escalation") == []


def test_request_missed_by_sweeps__gets_breach_mail_only(app):
    make_agent()
    make_account(staff=("manager",))
    ticket = submitted_at(local(2025, 3, 10, 9, 0))

    sla_sweep.sweep(local(2025, 3, 12, 12, 0))
    sla_sweep.sweep(local(2025, 3, 12, 12, 1))

    assert mails("at_risk_warning") == []
    assert len(mails("breach_escalation")) == 1
    assert ticket.at_risk_notified_at is not None


def test_reopened_request__starts_fresh_without_breach_mail(app):
    agent = make_agent()
    make_account(staff=("manager",))
    ticket = submitted_at(local(2025, 3, 10, 9, 0))
    sla_sweep.sweep(local(2025, 3, 11, 10, 0))
    fire_trigger(ticket, "reject", agent, text="Onvolledig.")
    fire_trigger(ticket, "reopen", agent, text="Toch bekijken.")
    db.session.refresh(ticket)

    sla_sweep.sweep(ticket.clock_started_at + timedelta(minutes=1))

    assert len(mails("breach_escalation")) == 1
    assert ticket.breach_notified_at is None
    assert ticket.due_at > ticket.clock_started_at


def test_two_sweeps_at_once__mail_once(app):
    make_agent()
    make_account(staff=("manager",))
    tickets = [submitted_at(local(2025, 3, 10, 9, 0)) for _ in range(3)]
    moment = local(2025, 3, 11, 12, 0)
    barrier = threading.Barrier(2)
    results = []

    def run_sweep():
        with app.app_context():
            barrier.wait()
            results.append(sla_sweep.sweep(moment))
            db.session.remove()

    threads = [threading.Thread(target=run_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(results) == 3
    assert len(mails("breach_escalation")) == 3
    for ticket in tickets:
        assert len(events(ticket, "breached")) == 1
