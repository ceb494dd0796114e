"""Factory functions for test data; each takes ``**overrides`` for any column."""

import itertools

from app.extensions import db
from app.models import Account, PlatformRole, School, StaffMembership, Ticket
from app.models.types import utcnow
from app.services.accounts import hash_password, role_by_code
from app.services.intake import submit_request

PASSWORD = "geheim-wachtwoord"
_numbers = itertools.count(1)


def make_school(**overrides) -> School:
    number = next(_numbers)
    school = School(**{"name": f"ROC Testschool {number}", "brin": f"{number:02d}AB", **overrides})
    db.session.add(school)
    db.session.commit()
    return school


def make_account(role: str = "student", staff: tuple[str, ...] = (), **overrides) -> Account:
    number = next(_numbers)
    values = {
        "email": f"persoon{number}@school.example",
        "first_name": "Jan",
        "last_name": f"Jansen {number}",
        "confirmed_at": utcnow(),
        "profile_completed_at": utcnow(),
        "role": role_by_code(role),
        **overrides,
    }
    values.setdefault("email_normalized", values["email"].lower())
    if "password_hash" not in values:
        # Argon2 takes about half a second, so tests that never log in pass password_hash=None.
        values["password_hash"] = hash_password(PASSWORD)
    account = Account(**values)
    for kind in staff:
        account.memberships.append(StaffMembership(kind=kind))
    db.session.add(account)
    db.session.commit()
    return account


def make_agent(**overrides) -> Account:
    return make_account(staff=("agent",), first_name="Anna", **overrides)


def role(code: str) -> PlatformRole:
    return role_by_code(code)


def make_ticket(requester: Account | None = None, kind: str = "role_change",
                wanted_role: str | None = "workplace_trainer", **text) -> Ticket:
    requester = requester or make_account()
    wanted = role_by_code(wanted_role) if wanted_role and kind != "question" else None
    return submit_request(requester, kind, wanted_role=wanted,
                          text={"motivation": "Ik begeleid stagiairs.", **text})
