"""Queue filters, search, counts and pages return exactly the expected tickets on a seeded set."""

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Ticket
from app.models.types import utcnow
from app.services.accounts import hash_password, role_by_code
from app.services.queue import QueueFilter, load_queue
from app.services.workflow import fire_trigger
from tests.factories import PASSWORD, make_account, make_agent, make_school, make_ticket


def _requester(**overrides):
    # Requesters here never log in, so they skip the slow Argon2 hash.
    return make_account(password_hash=None, **overrides)


def _set_clock(ticket: Ticket, due_in: timedelta, at_risk_in: timedelta) -> None:
    # Test set-up only: move a ticket's due and at-risk moments without waiting for them.
    now = utcnow()
    db.session.execute(Ticket.__table__.update().where(Ticket.id == ticket.id).values(
        due_at=now + due_in, at_risk_at=now + at_risk_in))
    db.session.commit()


@pytest.fixture
def seeded(app):
    """Six tickets that differ in one filter each; returns them by name with the two agents."""
    alpha, beta = make_school(name="ROC Alfa"), make_school(name="Beta College")
    me = make_agent(last_name="Ik", password_hash=hash_password(PASSWORD))
    colleague = make_agent(last_name="Collega", password_hash=None)
    pieter = _requester(first_name="Pieter", last_name="Bakker", email="pieter@alfa.example",
                          school_id=alpha.id)
    tickets = {
        "new_teacher": make_ticket(pieter, wanted_role="teacher"),
        "mine_trainer": make_ticket(_requester(school_id=beta.id), wanted_role="workplace_trainer"),
        "question": make_ticket(_requester(school_id=alpha.id), kind="question", subject="Inloggen"),
        "approved_external": make_ticket(_requester(school_id=beta.id), wanted_role="external"),
        "rejected": make_ticket(_requester(school_id=alpha.id), wanted_role="teacher"),
        "colleague_exam": make_ticket(_requester(school_id=beta.id), wanted_role="exam_committee"),
    }
    fire_trigger(tickets["mine_trainer"], "start_review", me)
    fire_trigger(tickets["question"], "start_review", colleague)
    fire_trigger(tickets["approved_external"], "start_review", me)
    fire_trigger(tickets["approved_external"], "approve", me)
    fire_trigger(tickets["rejected"], "reject", me, text="Dubbel verzoek.")
    fire_trigger(tickets["colleague_exam"], "start_review", colleague)
    _set_clock(tickets["new_teacher"], -timedelta(hours=2), -timedelta(hours=4))
    _set_clock(tickets["mine_trainer"], timedelta(hours=1), -timedelta(minutes=10))
    for name in ("question", "approved_external", "colleague_exam"):
        _set_clock(tickets[name], timedelta(hours=6), timedelta(hours=4))
    ids = {name: ticket.id for name, ticket in tickets.items()}
    return {"ids": ids, "me": me, "alpha": alpha, "beta": beta}


def _names(seeded, args: dict) -> set[str]:
    view = QueueFilter.from_args(MultiDict(args))
    result = load_queue(view, seeded["me"], utcnow())
    by_id = {ticket_id: name for name, ticket_id in seeded["ids"].items()}
    return {by_id[ticket.id] for ticket in result.tickets}


OPEN = {"new_teacher", "mine_trainer", "question", "approved_external", "colleague_exam"}


@pytest.mark.parametrize(("args", "expected"), [
    ({}, OPEN),
    ({"state": "all"}, OPEN | {"rejected"}),
    ({"state": "submitted"}, {"new_teacher"}),
    ({"state": "in_review"}, {"mine_trainer", "question", "colleague_exam"}),
    ({"state": "rejected"}, {"rejected"}),
    ({"kind": "question"}, {"question"}),
    ({"kind": "role_change"}, OPEN - {"question"}),
    ({"sla": "breached"}, {"new_teacher"}),
    ({"sla": "at_risk"}, {"mine_trainer"}),
    ({"sla": "on_track"}, {"question", "approved_external", "colleague_exam"}),
    ({"assignee": "mine"}, {"mine_trainer", "approved_external"}),
    ({"assignee": "unassigned"}, {"new_teacher"}),
    ({"assignee": "everyone"}, OPEN),
    ({"q": "pieter@alfa"}, {"new_teacher"}),
    ({"q": "bakker"}, {"new_teacher"}),
    ({"q": "Pieter Bakker"}, {"new_teacher"}),
    ({"q": "niemand-bekend"}, set()),
    ({"state": "in_review", "assignee": "mine"}, {"mine_trainer"}),
    ({"state": "nonsense", "kind": "nonsense", "assignee": "nonsense"}, OPEN),
])
def test_queue__filter_returns_expected(seeded, args, expected):
    assert _names(seeded, args) == expected


def test_queue__school_and_role_filters(seeded):
    alpha, beta = seeded["alpha"], seeded["beta"]
    teacher = role_by_code("teacher")

    assert _names(seeded, {"school": str(alpha.id)}) == {"new_teacher", "question"}
    assert _names(seeded, {"school": str(beta.id)}) == {"mine_trainer", "approved_external",
                                                       "colleague_exam"}
    assert _names(seeded, {"role": str(teacher.id), "state": "all"}) == {"new_teacher", "rejected"}


def test_queue__search_by_reference(seeded):
    reference = db.session.get(Ticket, seeded["ids"]["question"]).reference

    assert _names(seeded, {"q": reference.lower()}) == {"question"}


def test_queue__soonest_due_first(seeded):
    result = load_queue(QueueFilter(), seeded["me"], utcnow())

    due = [ticket.due_at for ticket in result.tickets]
    assert due == sorted(due)
    assert result.tickets[0].id == seeded["ids"]["new_teacher"]


def test_queue__counts_per_state(seeded):
    counts = load_queue(QueueFilter(kind="role_change"), seeded["me"], utcnow()).counts

    assert counts["submitted"] == 1
    assert counts["in_review"] == 2
    assert counts["approved"] == 1
    assert counts["rejected"] == 1
    assert counts["open"] == 4
    assert counts["all"] == 5


def test_queue__pages(seeded):
    first = load_queue(QueueFilter(page=1), seeded["me"], utcnow(), page_size=2)
    third = load_queue(QueueFilter(page=3), seeded["me"], utcnow(), page_size=2)
    beyond = load_queue(QueueFilter(page=9), seeded["me"], utcnow(), page_size=2)

    assert first.total == 5
    assert first.pages == 3
    assert len(first.tickets) == 2
    assert len(third.tickets) == 1
    assert beyond.page == 3


def test_queue_page__shows_rows_and_saved_filter_links(seeded, client, auth):
    auth.login(seeded["me"].email)

    page = client.get("/helpdesk/?assignee=mine").get_data(as_text=True)

    mine = db.session.get(Ticket, seeded["ids"]["mine_trainer"])
    other = db.session.get(Ticket, seeded["ids"]["new_teacher"])
    assert mine.reference in page
    assert other.reference not in page
    assert "Praktijkopleider / werkbegeleider" in page
    assert "Beta College" in page
    assert 'href="/helpdesk/?assignee=mine"' in page
    assert 'href="/helpdesk/?sla=breached"' in page


def test_queue_page__overdue_shows_time_late(seeded, client, auth):
    auth.login(seeded["me"].email)

    page = client.get("/helpdesk/?sla=breached").get_data(as_text=True)

    assert "te laat" in page


def _statements_for_queue_page(client) -> int:
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/helpdesk/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_queue_page__statements_do_not_grow_with_rows(seeded, client, auth):
    auth.login(seeded["me"].email)
    client.get("/helpdesk/")
    # Committing expires the rows the test session holds, as adding tickets does below.
    db.session.commit()
    with_five = _statements_for_queue_page(client)
    for _number in range(5):
        make_ticket(_requester(school_id=seeded["alpha"].id))

    with_ten = _statements_for_queue_page(client)

    assert with_ten == with_five
