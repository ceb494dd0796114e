"""A month of requests whose report figures were worked out by hand.

Every request goes through ``submit_request`` and ``fire_trigger`` with a frozen
clock, so the stored working-time fields are the ones the workflow writes. The
calendar is the default one: Monday to Friday 08:30 to 17:00 Europe/Amsterdam,
no public holiday in November or early December 2026. One working day is 8.5 h.

| Ticket | Kind, school, agent | Story (local times) | Handling | First response |
|---|---|---|---|---|
| paused | role, A, Anna | Fri 6 Nov 10:00 in, review 11:00, asked 15:00, reply Mon 9 Nov 10:00, approved 11:00, applied 12:00 | 10.5 h - 3.5 h waiting = 7 h, within | 1 h |
| withdrawn | role, A, none | Tue 10 Nov 09:00 in, withdrawn 12:00 | leaves the SLA figures | none |
| reopened | role, A, Anna | Wed 11 Nov 09:00 in, review 09:30, rejected 10:00, reopened Thu 12 Nov 09:00, approved 13:00, applied 13:30 | 4.5 h from the reopening, within | 0.5 h |
| on_due | role, A, Anna | Mon 16 Nov 09:00 in (due Tue 17 Nov 09:00), review 10:00, rejected Tue 09:00 | 8.5 h exactly, within | 1 h |
| late | role, A, Bert | Wed 18 Nov 09:00 in, review Thu 19 Nov 10:00, rejected 12:00 | 11.5 h, not within | 9.5 h |
| question | question, B, Bert | Mon 23 Nov 14:00 in, review 14:30, answered 16:00 | 2 h, within | 0.5 h |
| waiting | role, A, Anna | Mon 23 Nov 09:00 in, review 09:30, asked 10:00; still waiting (7.5 h left) | open, on track | 0.5 h |
| breached | role, A, Anna | Thu 3 Dec 09:00 in, review 09:15; due Fri 4 Dec 09:00 | open | |
| fresh | role, A, none | Fri 4 Dec 10:00 in | open, on track | |
| at_risk | role, A, none | Thu 3 Dec 14:00 in; 6.5 h used of 8.5 h at NOW | open | |

NOW is Friday 4 December 2026 12:00 local time.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import HistoryEvent
from app.services import intake, workflow
from app.services.reports import Period
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_school, make_ticket

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PERIOD = Period(date(2026, 11, 2), date(2026, 11, 29))


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(ZoneInfo("UTC"))


NOW = local(12, 4, 12)
REQUESTER = "requester"

# The figures for PERIOD, worked out by hand from the table above.
EXPECTED = {
    "received": 7,
    "closed": 5,
    "withdrawn": 1,
    "within": 4,
    "share_within": 80.0,
    # Handling seconds 7200, 16200, 25200, 30600, 41400: median 25200; p90 at position 3.6.
    "handling_median_hours": 7.0,
    "handling_p90_hours": 10.3,
    # First responses 1800, 1800, 1800, 3600, 3600, 34200: median halfway 1800 and 3600.
    "first_response_median_hours": 0.75,
    "backlog_by_state": {"submitted": 2, "in_review": 1, "waiting_for_requester": 1, "approved": 0},
    "backlog_by_age": [2, 1, 0, 1],
    "at_risk_now": 1,
    "breached_now": 1,
    "self_service_changes": 1,
}
# Week starting: (received, closed, within, share within).
EXPECTED_WEEKS = {
    date(2026, 11, 2): (1, 0, 0, None),
    date(2026, 11, 9): (2, 2, 2, 100.0),
    date(2026, 11, 16): (2, 2, 1, 50.0),
    date(2026, 11, 23): (2, 1, 1, 100.0),
}
# Name: (closed, within, median hours, open now, breached now).
EXPECTED_AGENTS = {
    "Anna Achterberg": (3, 3, 7.0, 2, 1),
    "Bert Bakker": (2, 1, 6.75, 0, 0),
    "": (0, 0, None, 2, 0),
}
# Name: (received, closed, within, median hours, open now, breached now).
EXPECTED_SCHOOLS = {
    "ROC Amstelland": (6, 4, 3, 7.75, 4, 1),
    "Grafisch Lyceum": (1, 1, 1, 2.0, 0, 0),
}


class FrozenClock:
    """Set the moment the workflow and the intake see as now."""

    def __init__(self, monkeypatch):
        self.moment = None
        monkeypatch.setattr(workflow, "utcnow", lambda: self.moment)
        monkeypatch.setattr(intake, "utcnow", lambda: self.moment)

    def at(self, moment: datetime) -> "FrozenClock":
        self.moment = moment
        return self


class Story:
    """Fire triggers on one ticket at given local moments."""

    def __init__(self, clock: FrozenClock, ticket):
        self.clock = clock
        self.ticket = ticket

    def fire(self, moment: datetime, trigger: str, account, text: str = "") -> "Story":
        """Fire ``trigger`` at ``moment``; ``account`` REQUESTER stands for the ticket's requester."""
        self.clock.at(moment)
        actor = self.ticket.requester if account == REQUESTER else account
        fire_trigger(self.ticket, trigger, actor, text=text)
        return self


def seed_month(monkeypatch) -> dict:
    """Create the requests of the table above; return them by name with the staff and schools.

    No account seeded here logs in, so none gets a password hash, which saves an Argon2 run each.
    """
    clock = FrozenClock(monkeypatch)
    amstelland = make_school(name="ROC Amstelland")
    lyceum = make_school(name="Grafisch Lyceum")
    anna = make_account(staff=("agent",), first_name="Anna", last_name="Achterberg",
                        password_hash=None)
    bert = make_account(staff=("agent",), first_name="Bert", last_name="Bakker",
                        password_hash=None)

    def submit(moment, kind="role_change", school=amstelland, subject=""):
        clock.at(moment)
        requester = make_account(school_id=school.id, password_hash=None)
        wanted = None if kind == "question" else "workplace_trainer"
        return Story(clock, make_ticket(requester, kind=kind, wanted_role=wanted, subject=subject))

    tickets = {}
    tickets["paused"] = (
        submit(local(11, 6, 10))
        .fire(local(11, 6, 11), "start_review", anna)
        .fire(local(11, 6, 15), "ask_requester", anna, "Welke school?")
        .fire(local(11, 9, 10), "requester_replied", REQUESTER, "ROC Amstelland")
        .fire(local(11, 9, 11), "approve", anna)
        .fire(local(11, 9, 12), "apply", None)
    )
    withdrawn = submit(local(11, 10, 9))
    tickets["withdrawn"] = withdrawn.fire(local(11, 10, 12), "withdraw", REQUESTER)
    tickets["reopened"] = (
        submit(local(11, 11, 9))
        .fire(local(11, 11, 9, 30), "start_review", anna)
        .fire(local(11, 11, 10), "reject", anna, "Geen motivatie")
        .fire(local(11, 12, 9), "reopen", anna)
        .fire(local(11, 12, 13), "approve", anna)
        .fire(local(11, 12, 13, 30), "apply", None)
    )
    tickets["on_due"] = (
        submit(local(11, 16, 9))
        .fire(local(11, 16, 10), "start_review", anna)
        .fire(local(11, 17, 9), "reject", anna, "Onbekende school")
    )
    tickets["late"] = (
        submit(local(11, 18, 9))
        .fire(local(11, 19, 10), "start_review", bert)
        .fire(local(11, 19, 12), "reject", bert, "Dubbel verzoek")
    )
    tickets["question"] = (
        submit(local(11, 23, 14), kind="question", school=lyceum)
        .fire(local(11, 23, 14, 30), "start_review", bert)
        .fire(local(11, 23, 16), "answer", bert, "Zo werkt het.")
    )
    tickets["waiting"] = (
        submit(local(11, 23, 9))
        .fire(local(11, 23, 9, 30), "start_review", anna)
        .fire(local(11, 23, 10), "ask_requester", anna, "Welke opleiding?")
    )
    tickets["breached"] = submit(local(12, 3, 9)).fire(local(12, 3, 9, 15), "start_review", anna)
    tickets["at_risk"] = submit(local(12, 3, 14))
    tickets["fresh"] = submit(local(12, 4, 10))
    _redeem_codes(amstelland)
    return {"tickets": {name: story.ticket for name, story in tickets.items()},
            "agents": {"anna": anna, "bert": bert},
            "schools": {"amstelland": amstelland, "lyceum": lyceum}}


def _redeem_codes(school) -> None:
    """Record two self-service role changes: one in the period, one after it."""
    account = make_account(school_id=school.id, password_hash=None)
    for moment in (local(11, 20, 10), local(12, 1, 10)):
        db.session.add(HistoryEvent(ticket_id=None, account_id=account.id, actor_id=account.id,
                                    kind="code_redeemed", at=moment))
    db.session.commit()
