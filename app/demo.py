"""``roldesk demo``: fill a fresh database with a helpdesk's last few weeks.

Every request is made and moved through the real service paths (``submit_request``
and ``fire_trigger``) with the clock set to the moment each step happened, so the
due times, working-time figures and history are what the live service would have
stored. Steps planned for a moment still in the future are not taken, which leaves
the recent requests open in the states a working queue has.
"""

import logging
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import (
    KIND_QUESTION,
    KIND_ROLE_CHANGE,
    ORIGIN_ENTREE,
    Account,
    OutboxMail,
    PlatformRole,
    School,
    StaffMembership,
    Ticket,
)
from app.models.types import clock_set_to, utcnow
from app.services.accounts import hash_password, normalize_email, role_by_code
from app.services.apply import apply_ticket
from app.services.calendar import working_calendar
from app.services.intake import submit_request
from app.services.workflow import fire_trigger
from workflows.ticket_machine import OPEN_STATES

logger = logging.getLogger(__name__)

# Fictional schools with made-up BRIN-like codes; .example domains are reserved and reach no one.
SCHOOLS = [
    ("ROC Lindeveld", "91LV", "lindeveld.example"),
    ("Vakcollege Noorderkwartier", "92NK", "noorderkwartier.example"),
    ("Zorgacademie Veluwezoom", "93VZ", "veluwezoom.example"),
    ("Techniek College Dommeldal", "94DD", "dommeldal.example"),
    ("ROC Kempenstroom", "95KS", "kempenstroom.example"),
    ("Groen College Eemland", "96EL", "eemland.example"),
    ("Grafisch Lyceum Maasoever", "97MO", "maasoever.example"),
    ("Leerbedrijf Scheldezoom", "98SZ", "scheldezoom.example"),
]

# kind of staff membership, first name, last name
STAFF = [
    (("agent",), "Anouk", "de Vries"),
    (("agent",), "Bram", "Jansen"),
    (("agent",), "Chantal", "Bakker"),
    (("agent",), "Dennis", "Visser"),
    (("agent", "manager"), "Esther", "Smit"),
    (("admin",), "Frank", "Meijer"),
]

FIRST_NAMES = ["Sanne", "Daan", "Lotte", "Mohamed", "Fleur", "Thijs", "Éva", "Kees", "Noor", "Sem",
               "Iris", "Yusuf", "Femke", "Jeroen", "Anouk", "Bas", "Marloes", "Luuk", "Zeynep",
               "Wouter", "Inge", "Ruben", "Hanneke", "Stijn", "Priya"]
LAST_NAMES = [("", "Bos"), ("de", "Jong"), ("van", "Dijk"), ("", "Mulder"), ("van der", "Berg"),
              ("", "Özdemir"), ("", "Hendriks"), ("van 't", "Hof"), ("", "Peters"),
              ("de", "Graaf"), ("", "Kuipers"), ("van", "Leeuwen"), ("", "El Amrani"),
              ("", "Brouwer"), ("ter", "Horst"), ("", "Willems")]

# Requested role and its relative weight, because most requests come from workplace trainers.
ROLE_WEIGHTS = [("workplace_trainer", 70), ("teacher", 15), ("external", 10), ("exam_committee", 5)]
MOTIVATIONS = [
    "Ik begeleid studenten tijdens hun stage bij ons bedrijf.",
    "Ik ben praktijkopleider en wil de opdrachten van mijn stagiair kunnen inzien.",
    "Ik ben per 1 september docent bij de opleiding Verzorgende IG.",
    "Ik zit sinds dit schooljaar in de examencommissie.",
    "Wij zijn een externe partij die trainingen voor de school verzorgt.",
]
QUESTIONS = [
    ("Inloggen lukt niet", "Ik krijg steeds de melding dat mijn wachtwoord niet klopt."),
    ("Materialen niet zichtbaar", "Na het aanschaffen zie ik de materialen niet in mijn overzicht."),
    ("Andere school kiezen", "Ik ben van school gewisseld. Hoe pas ik dat aan?"),
]
ASKS = ["Bij welke school begeleid je de student?",
        "Kun je je werk-e-mailadres gebruiken in plaats van een privéadres?"]
REPLIES = ["Bij de opleiding Zorg en Welzijn, locatie centrum.",
           "Ik heb mijn account nu aangemaakt met mijn werkadres."]
REJECTIONS = ["Je account is gemaakt met een privé-e-mailadres. Maak een account aan met je "
              "werk-e-mailadres en dien het verzoek opnieuw in.",
              "De school kon niet bevestigen dat je praktijkopleider bent."]
# Requests submitted less than this much business time ago (three working days) are
# left open part-way.
RECENT = timedelta(minutes=3 * 510)

ANSWERS = ["Kies bij 'Profiel' een nieuw wachtwoord; de link staat in de mail die je krijgt.",
           "De materialen staan onder 'Mijn producten'. Log opnieuw in als ze er niet staan."]


@dataclass
class Cast:
    """The people the demo requests are made and handled by."""

    agents: list[Account]
    requesters: list[Account]


def _minutes(low: int, high: int, rng: random.Random) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def _submission_moment(start: datetime, now: datetime, rng: random.Random) -> datetime:
    """Pick a moment between ``start`` and ``now``, mostly within business hours."""
    calendar = working_calendar()
    moment = start + (now - start) * rng.random()
    if rng.random() < 0.15:
        return moment
    day = moment.astimezone(calendar.tz).date()
    while calendar.is_closed(day) or not calendar.day_intervals(day):
        day += timedelta(days=1)
    hour = time(rng.randint(8, 16), rng.choice((5, 20, 35, 50)))
    return min(datetime.combine(day, hour, tzinfo=calendar.tz).astimezone(timezone.utc), now)


def _plan(ticket: Ticket, rng: random.Random) -> list[tuple[timedelta, str]]:
    """Return the steps after submission: business time to wait before each, and the trigger."""
    late = rng.random() < 0.12
    steps = [(_minutes(420, 900, rng) if late else _minutes(5, 240, rng), "start_review")]
    if rng.random() < 0.05:
        return steps + [(_minutes(10, 300, rng), "withdraw")]
    if ticket.kind == KIND_QUESTION:
        return steps + [(_minutes(5, 120, rng), "answer")]
    if rng.random() < 0.2:
        steps += [(_minutes(10, 60, rng), "ask_requester"), (_minutes(30, 900, rng), "requester_replied")]
    if rng.random() < 0.1:
        return steps + [(_minutes(5, 60, rng), "reject")]
    steps.append((_minutes(5, 90, rng), "approve"))
    if ticket.wanted_role is not None and ticket.wanted_role.four_eyes:
        steps.append((_minutes(10, 180, rng), "approve"))
    return steps + [(timedelta(minutes=1), "apply")]


def _step_text(trigger: str, rng: random.Random) -> str:
    texts = {"ask_requester": ASKS, "requester_replied": REPLIES, "reject": REJECTIONS,
             "answer": ANSWERS}
    return rng.choice(texts[trigger]) if trigger in texts else ""


def _actor(ticket: Ticket, trigger: str, cast: Cast, rng: random.Random) -> Account | None:
    if trigger in ("requester_replied", "withdraw"):
        return ticket.requester
    if trigger == "apply":
        return None
    if trigger == "approve" and ticket.first_approver_id is not None:
        return rng.choice([agent for agent in cast.agents if agent.id != ticket.first_approver_id])
    if ticket.assignee is not None:
        return ticket.assignee
    return rng.choice(cast.agents)


def _play(ticket: Ticket, cast: Cast, now: datetime, rng: random.Random) -> None:
    """Take each planned step of ``ticket`` whose moment has passed, with the clock set to it."""
    calendar = working_calendar()
    moment = ticket.submitted_at
    steps = _plan(ticket, rng)
    if calendar.between(moment, now) < RECENT:
        # Recent requests stop part-way, so the queue shows every open state whatever the hour,
        # and some are still unclaimed, which makes them due soon or overdue.
        steps = steps[:rng.randrange(len(steps))]
    for delay, trigger in steps:
        moment = calendar.add(moment, delay)
        if moment > now:
            return
        with clock_set_to(moment):
            if trigger == "apply":
                apply_ticket(ticket.id)
            else:
                fire_trigger(ticket, trigger, _actor(ticket, trigger, cast, rng),
                             _step_text(trigger, rng))


def _add_schools() -> list[School]:
    schools = [School(name=name, brin=brin, mail_domains=domain) for name, brin, domain in SCHOOLS]
    db.session.add_all(schools)
    db.session.commit()
    return schools


def _add_staff(password_hash: str) -> list[tuple[Account, str]]:
    staff = []
    student = role_by_code("student")
    now = utcnow()
    for kinds, first_name, last_name in STAFF:
        address = f"{first_name}.{last_name}".lower().replace(" ", ".") + "@roldesk.example"
        account = Account(email=address, email_normalized=address, password_hash=password_hash,
                          first_name=first_name, last_name=last_name, role=student,
                          confirmed_at=now, profile_completed_at=now)
        account.memberships = [StaffMembership(kind=kind) for kind in kinds]
        db.session.add(account)
        staff.append((account, "/".join(kinds)))
    db.session.commit()
    return staff


def _person(rng: random.Random, number: int, school: School) -> dict:
    first_name = rng.choice(FIRST_NAMES)
    tussenvoegsel, last_name = rng.choice(LAST_NAMES)
    local = f"{first_name}.{tussenvoegsel} {last_name}.{number}".replace("'", "").replace(" ", "")
    address = f"{local.lower()}@{school.mail_domains.split()[0]}"
    return {"email": address, "email_normalized": normalize_email(address), "first_name": first_name,
            "tussenvoegsel": tussenvoegsel, "last_name": last_name, "school_id": school.id}


def _add_requesters(count: int, schools: list[School], password_hash: str,
                    rng: random.Random) -> list[Account]:
    """Add confirmed e-mail accounts with role Student, and a few Entree accounts beside them."""
    student = role_by_code("student")
    now = utcnow()
    accounts = []
    for number in range(count + count // 10):
        account = Account(**_person(rng, number, rng.choice(schools)), password_hash=password_hash,
                          role=student, confirmed_at=now, profile_completed_at=now)
        if number >= count:
            account.origin = ORIGIN_ENTREE
        else:
            accounts.append(account)
        db.session.add(account)
    db.session.commit()
    return accounts


def _submit(requester: Account, moment: datetime, rng: random.Random) -> Ticket:
    with clock_set_to(moment):
        if rng.random() < 0.15:
            subject, question = rng.choice(QUESTIONS)
            return submit_request(requester, KIND_QUESTION,
                                  text={"subject": subject, "motivation": question})
        codes, weights = zip(*ROLE_WEIGHTS)
        role = role_by_code(rng.choices(codes, weights)[0])
        return submit_request(requester, KIND_ROLE_CHANGE, wanted_role=role,
                              text={"motivation": rng.choice(MOTIVATIONS)})


def fill_demo(count: int, weeks: int, password: str, seed: int) -> dict:
    """Add schools, staff, requesters and ``count`` requests of the last ``weeks`` weeks.

    Returns the staff logins and the number of requests per state. Mails written
    while making the history are removed from the outbox unsent, because they
    describe the past and go to example addresses.
    """
    rng = random.Random(seed)
    now = utcnow()
    first_mail = db.session.scalar(select(func.coalesce(func.max(OutboxMail.id), 0)))
    # One hash for every demo account, because Argon2 is slow on purpose.
    password_hash = hash_password(password)
    schools = _add_schools()
    staff = _add_staff(password_hash)
    cast = Cast(agents=[account for account, kinds in staff if "agent" in kinds],
                requesters=_add_requesters(count, schools, password_hash, rng))
    start = now - timedelta(weeks=weeks)
    moments = sorted(_submission_moment(start, now, rng) for _ in range(count))
    tickets = [_submit(requester, moment, rng) for requester, moment in zip(cast.requesters, moments)]
    for ticket in tickets:
        _play(ticket, cast, now, rng)
    removed = db.session.execute(delete(OutboxMail).where(OutboxMail.id > first_mail)).rowcount
    db.session.commit()
    states = Counter(db.session.scalars(select(Ticket.state)))
    logger.info("demo data added: %s requests, %s history mails removed unsent", count, removed)
    return {"staff": staff, "states": states, "requesters": len(cast.requesters)}


@click.command("demo")
@click.option("--requests", "count", default=300, show_default=True,
              type=click.IntRange(1, 5000), help="Number of requests to add.")
@click.option("--weeks", default=6, show_default=True, type=click.IntRange(1, 52),
              help="Spread the requests over this many weeks before now.")
@click.option("--password", default=None,
              help="Password of every demo account; random and printed when left out.")
@click.option("--seed", default=1, show_default=True, help="Seed of the random choices.")
@with_appcontext
def demo_command(count: int, weeks: int, password: str | None, seed: int):
    """Fill a fresh database with schools, staff and a few weeks of requests."""
    from app.cli import _print_admin, prepare_database

    _print_admin(prepare_database())
    existing = db.session.scalar(select(func.count(Ticket.id)))
    if existing:
        raise click.ClickException(
            f"the database already has {existing} requests; roldesk demo fills only a fresh "
            "database, so point ROLDESK_DATABASE_URL at an empty one")
    password = password or secrets.token_urlsafe(9)
    # Without Celery nothing is queued: the history's mails are removed unsent afterwards.
    celery = current_app.extensions.pop("celery", None)
    try:
        result = fill_demo(count, weeks, password, seed)
    finally:
        if celery is not None:
            current_app.extensions["celery"] = celery
    _print_summary(result, password)


def _print_summary(result: dict, password: str) -> None:
    states = ", ".join(f"{state} {number}" for state, number in sorted(result["states"].items()))
    open_count = sum(number for state, number in result["states"].items() if state in OPEN_STATES)
    click.echo(f"Added {len(SCHOOLS)} schools, {result['requesters']} requesters and "
               f"{sum(result['states'].values())} requests ({open_count} open): {states}.")
    click.echo(f"Log in at {current_app.config['BASE_URL']}/inloggen with password {password} as:")
    for account, kinds in result["staff"]:
        click.echo(f"  {kinds:14} {account.email_normalized}")
    roles = db.session.scalars(select(PlatformRole.code).where(PlatformRole.four_eyes)).all()
    click.echo(f"Every demo requester has the same password; roles needing two agents: {', '.join(roles)}.")
