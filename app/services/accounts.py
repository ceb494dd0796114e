"""Accounts: e-mail normalisation, password hashing, seeding and staff accounts."""

import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.extensions import db
from app.models import (
    DEFAULT_ROLE_CODE,
    SEED_ROLES,
    STAFF_ADMIN,
    STAFF_KINDS,
    Account,
    PlatformRole,
    StaffMembership,
)
from app.models.types import utcnow

logger = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verifying against this hash when no account matches keeps a failed login as slow
# as a wrong password, so timing does not tell whether an address has an account.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(address: str) -> str:
    """Return the unique form of ``address``: case-folded, with an ASCII (IDNA) domain.

    Raises:
        EmailNotValidError: the address is malformed.
    """
    result = validate_email(address.strip(), check_deliverability=False)
    local, _, _domain = result.normalized.rpartition("@")
    return f"{local.lower()}@{result.ascii_domain.lower()}"


def is_valid_email(address: str) -> bool:
    try:
        normalize_email(address)
    except EmailNotValidError:
        return False
    return True


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(account: Account | None, password: str) -> bool:
    """Return whether ``password`` matches; rehash it when the Argon2 parameters changed."""
    if account is None or not account.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password + "x")
        except VerificationError:
            pass
        return False
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return True


def find_account(address: str) -> Account | None:
    try:
        normalized = normalize_email(address)
    except EmailNotValidError:
        return None
    return db.session.scalars(select(Account).where(Account.email_normalized == normalized)).first()


def role_by_code(code: str) -> PlatformRole | None:
    return db.session.scalars(select(PlatformRole).where(PlatformRole.code == code)).first()


def seed_roles() -> int:
    """Add the seed platform roles that are missing; return how many were added."""
    existing = set(db.session.scalars(select(PlatformRole.code)))
    added = 0
    for position, (code, label_nl, label_en, four_eyes) in enumerate(SEED_ROLES):
        if code not in existing:
            db.session.add(PlatformRole(code=code, label_nl=label_nl, label_en=label_en,
                                        four_eyes=four_eyes, position=position))
            added += 1
    db.session.commit()
    return added


def create_staff(address: str, password: str, kinds: list[str], name: tuple[str, str] = ("", "")) -> Account:
    """Create a confirmed account with the given staff memberships, or add them to an existing one."""
    unknown = set(kinds) - set(STAFF_KINDS)
    if unknown:
        raise ValueError(f"unknown staff kind {sorted(unknown)}; expected agent, manager or admin")
    account = find_account(address)
    if account is None:
        account = Account(
            email=address.strip(),
            email_normalized=normalize_email(address),
            password_hash=hash_password(password),
            first_name=name[0],
            last_name=name[1],
            role=role_by_code(DEFAULT_ROLE_CODE),
            confirmed_at=utcnow(),
            profile_completed_at=utcnow(),
        )
        db.session.add(account)
    held = account.staff_kinds
    for kind in kinds:
        if kind not in held:
            account.memberships.append(StaffMembership(kind=kind))
    db.session.commit()
    return account


def ensure_first_admin(address: str, password: str | None) -> str | None:
    """Create the first admin when no admin exists; return the generated password, if any."""
    has_admin = db.session.scalars(
        select(StaffMembership.id).where(StaffMembership.kind == STAFF_ADMIN).limit(1)
    ).first()
    if has_admin is not None:
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    create_staff(address, password, [STAFF_ADMIN, "agent", "manager"], name=("Beheerder", ""))
    logger.info("created the first admin %s", address)
    return generated
