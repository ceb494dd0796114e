"""Sign-up with an e-mail address: password rules, account creation and confirmation links."""

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from email_validator import EmailNotValidError
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update

from app.extensions import db
from app.models import DEFAULT_ROLE_CODE, ORIGIN_EMAIL, Account
from app.models.types import utcnow
from app.services.accounts import find_account, hash_password, normalize_email, role_by_code
from app.services.errors import InvalidInput
from app.services.outbox import Recipient, queue_mail

logger = logging.getLogger(__name__)

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"
_TOKEN_SALT = "roldesk-confirm-account"


@dataclass(frozen=True)
class SignupDraft:
    """The fields the wizard collected before its last step; the password is never among them."""

    email: str
    first_name: str
    last_name: str
    tussenvoegsel: str = ""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Return the rejected common passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str) -> str | None:
    """Return the Dutch message for a password that breaks a rule, or None when it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _l("Kies een wachtwoord van minimaal %(count)d tekens.", count=minimum)
    if password.strip().lower() in common_passwords():
        return _l("Dit wachtwoord wordt veel gebruikt en is makkelijk te raden. Kies een ander wachtwoord.")
    typed = email.strip().lower()
    if password.strip().lower() in {typed, _normalized_or_empty(email)}:
        return _l("Je wachtwoord mag niet gelijk zijn aan je e-mailadres. Kies een ander wachtwoord.")
    return None


def _normalized_or_empty(address: str) -> str:
    try:
        return normalize_email(address)
    except EmailNotValidError:
        return ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def confirmation_token(account: Account) -> str:
    """Sign the account id with the address it confirms; a changed address voids older links."""
    return _serializer().dumps({"account": account.id, "email": account.email_normalized})


def send_confirmation(account: Account) -> None:
    """Queue the "Bevestig je account" mail; the caller commits."""
    context = {"token": confirmation_token(account), "hours": current_app.config["CONFIRMATION_HOURS"]}
    queue_mail("confirm_account", Recipient.of(account), context)
    logger.info("confirmation mail queued for account %s", account.id)


def register(draft: SignupDraft, password: str, pending_id: int | None = None) -> int | None:
    """Create an unconfirmed Student account and queue its confirmation mail; commit.

    ``pending_id`` is the unconfirmed account this browser made earlier: signing up
    again (after "Wijzig je e-mailadres") updates it instead of making a second one.
    When the address already has another account, nothing is created and its owner
    gets a mail, so the page cannot reveal whether an address is registered.
    Returns the id of the account the browser now waits for, or None.
    """
    normalized = normalize_email(draft.email)
    existing = find_account(draft.email)
    pending = db.session.get(Account, pending_id) if pending_id else None
    if pending is not None and pending.confirmed_at is not None:
        pending = None

    if existing is not None and existing is not pending:
        _tell_owner(existing)
        db.session.commit()
        return pending.id if pending is not None else None

    account = pending or Account(role=role_by_code(DEFAULT_ROLE_CODE), origin=ORIGIN_EMAIL)
    account.email = draft.email.strip()
    account.email_normalized = normalized
    account.first_name = draft.first_name.strip()
    account.tussenvoegsel = draft.tussenvoegsel.strip()
    account.last_name = draft.last_name.strip()
    account.password_hash = hash_password(password)
    account.language = str(get_locale() or "nl")
    db.session.add(account)
    db.session.flush()
    send_confirmation(account)
    db.session.commit()
    logger.info("account %s registered, waiting for confirmation", account.id)
    return account.id


def _tell_owner(existing: Account) -> None:
    if existing.confirmed_at is None:
        send_confirmation(existing)
    else:
        queue_mail("already_registered", Recipient.of(existing), {})
    logger.info("sign-up with the address of account %s; its owner was mailed", existing.id)


def resend(account_id: int | None) -> None:
    """Queue the confirmation mail again when the account still waits for it; commit."""
    account = db.session.get(Account, account_id) if account_id else None
    if account is None or account.confirmed_at is not None:
        return
    send_confirmation(account)
    db.session.commit()


class ConfirmationFailed(InvalidInput):
    """A confirmation link that is invalid, expired or already used."""


def confirm(token: str) -> Account:
    """Confirm the account a link names, once; commit.

    Raises:
        ConfirmationFailed: the link is malformed, older than CONFIRMATION_HOURS,
            made for an address the account no longer has, or already used.
    """
    max_age = current_app.config["CONFIRMATION_HOURS"] * 3600
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ConfirmationFailed(
            _l("Deze link is verlopen. Log in met je e-mailadres en wachtwoord; je krijgt dan "
               "een nieuwe link."), detail="confirmation token expired") from None
    except BadSignature:
        raise ConfirmationFailed(
            _l("Deze link is ongeldig. Kopieer de hele link uit de e-mail, of log in om een "
               "nieuwe link te krijgen."), detail="confirmation token has a bad signature") from None

    account = db.session.get(Account, payload.get("account"))
    if account is None or account.email_normalized != payload.get("email"):
        raise ConfirmationFailed(
            _l("Deze link hoort bij een e-mailadres dat intussen is gewijzigd. Gebruik de link "
               "uit de nieuwste e-mail."), detail=f"token for account {payload.get('account')} is stale")
    # The conditional UPDATE makes the link single-use, also when two requests race.
    confirmed = db.session.execute(
        update(Account)
        .where(Account.id == account.id, Account.confirmed_at.is_(None))
        .values(confirmed_at=utcnow())
    )
    db.session.commit()
    if confirmed.rowcount != 1:
        raise ConfirmationFailed(
            _l("Deze link is al gebruikt: je account is bevestigd. Log in met je e-mailadres en "
               "wachtwoord."), detail=f"account {account.id} was already confirmed")
    db.session.refresh(account)
    logger.info("account %s confirmed", account.id)
    return account
