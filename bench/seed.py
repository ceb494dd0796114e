"""Bulk data for the benchmarks: people through the ORM, tickets through PostgreSQL COPY.

Tickets are written with COPY because the ORM path (``submit_request``) would take
hours for a million rows; the columns are filled the way the workflow fills them,
so the queue, the sweep and the reports read realistic rows.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from workflows.ticket_machine import FINAL_STATES, OPEN_STATES, SLA_FINAL_STATES

PASSWORD = "bench-wachtwoord"
KINDS = ("role_change", "role_change", "role_change", "account_creation", "question")
TICKET_COLUMNS = (
    "reference", "kind", "state", "version", "requester_id", "assignee_id", "school_id",
    "wanted_role_id", "subject", "motivation", "language", "submitted_at", "clock_started_at",
    "sla_minutes", "original_due_at", "due_at", "at_risk_at", "paused_at", "remaining_seconds",
    "waiting_seconds", "first_response_at", "first_response_seconds", "closed_at",
    "handling_seconds", "sla_met", "reopened_count", "apply_attempts", "updated_at",
)


@dataclass
class People:
    """Ids of the accounts, schools and roles that bulk tickets point at."""

    requester_ids: list[int]
    agent_ids: list[int]
    manager_ids: list[int]
    school_ids: list[int]
    role_ids: list[int]
    requester_email: str


def seed_people(requesters: int = 200, schools: int = 20, agents: int = 5) -> People:
    """Create schools, requesters, agents and one manager; every account has PASSWORD."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Account, PlatformRole, School, StaffMembership
    from app.services.accounts import hash_password, role_by_code
    from app.services.calendar import calendar_settings

    password_hash = hash_password(PASSWORD)
    now = datetime.now(timezone.utc)
    school_rows = [School(name=f"ROC Benchschool {number}", brin=f"{number:02d}BB") for number in range(schools)]
    db.session.add_all(school_rows)
    db.session.flush()
    student = role_by_code("student")

    def account(email: str, first_name: str, school: School | None) -> Account:
        return Account(email=email, email_normalized=email, password_hash=password_hash,
                       first_name=first_name, last_name="Bench", role=student, school_id=school.id if school else None,
                       confirmed_at=now, profile_completed_at=now)

    requester_rows = [account(f"aanvrager{number}@bench.example", "Aanvrager", school_rows[number % schools])
                      for number in range(requesters)]
    agent_rows = [account(f"medewerker{number}@bench.example", "Anna", None) for number in range(agents)]
    manager = account("teamleider@bench.example", "Teun", None)
    for agent in agent_rows:
        agent.memberships.append(StaffMembership(kind="agent"))
    manager.memberships.append(StaffMembership(kind="manager"))
    db.session.add_all([*requester_rows, *agent_rows, manager])
    # A helpdesk in use has its calendar settings row; only a fresh install lacks it.
    calendar_settings()
    db.session.commit()
    role_ids = list(db.session.scalars(select(PlatformRole.id).where(PlatformRole.code != "student")))
    return People([row.id for row in requester_rows], [row.id for row in agent_rows], [manager.id],
                  [row.id for row in school_rows], role_ids, requester_rows[0].email)


def ticket_row(rng: random.Random, people: People, submitted_at: datetime, state: str,
               number: int) -> tuple:
    """Return one ticket's COPY values, with times and figures consistent with ``state``."""
    kind = rng.choice(KINDS)
    if kind == "question" and state == "approved":
        state = "in_review"
    if kind != "question" and state == "answered":
        state = "applied"
    sla = 510
    due_at = submitted_at + timedelta(hours=rng.randint(24, 96))
    at_risk_at = due_at - timedelta(hours=6)
    assignee = None if state == "submitted" else rng.choice(people.agent_ids)
    paused_at = remaining = None
    if state == "waiting_for_requester":
        paused_at = submitted_at + timedelta(hours=2)
        remaining = rng.randint(-3600, sla * 60)
    first_response_at = first_response_seconds = None
    if state != "submitted":
        first_response_seconds = rng.randint(600, 40_000)
        first_response_at = submitted_at + timedelta(seconds=first_response_seconds)
    closed_at = handling = sla_met = None
    if state in FINAL_STATES:
        closed_at = submitted_at + timedelta(seconds=rng.randint(1800, 5 * 86_400))
        if state in SLA_FINAL_STATES:
            handling = rng.randint(900, 60_000)
            sla_met = handling <= sla * 60
    return (
        f"RD-B-{number:08d}", kind, state, 1, rng.choice(people.requester_ids), assignee,
        rng.choice(people.school_ids), None if kind == "question" else rng.choice(people.role_ids),
        "Bench", "Bulk benchmark row", "nl", submitted_at, submitted_at, sla, due_at, due_at,
        at_risk_at, paused_at, remaining, 0, first_response_at, first_response_seconds, closed_at,
        handling, sla_met, 0, 0, closed_at or submitted_at,
    )


def random_state(rng: random.Random, open_share: float) -> str:
    if rng.random() < open_share:
        return rng.choice(OPEN_STATES)
    return rng.choice(("applied", "applied", "rejected", "answered", "withdrawn"))


def copy_tickets(libpq_url: str, rows) -> int:
    """Write ``rows`` (tuples in TICKET_COLUMNS order) with COPY; return how many."""
    import psycopg

    count = 0
    with psycopg.connect(libpq_url) as conn:
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(_naive_utc(value) for value in row))
                    count += 1
        conn.execute("ANALYZE ticket")
    return count


def _naive_utc(value):
    # UTCDateTime columns hold naive UTC.
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
