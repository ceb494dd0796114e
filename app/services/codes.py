"""Activation codes: issuing, redeeming under "Profiel", and revoking.

A code is 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L),
grouped as XXXX-XXXX-XXXX-XXXX: 31^16, about 2^79 possible codes, far beyond
guessing at the rate limit of the redeem page.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.extensions import db
from app.formatting import local_datetime
from app.models import ORIGIN_ENTREE, Account, ActivationCode, CodeRedemption, HistoryEvent
from app.models.types import utcnow
from app.services.directory import account_directory
from app.services.errors import InvalidInput, NotAllowed

logger = logging.getLogger(__name__)

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 4
GROUP_SIZE = 4
EVENT_CODE_REDEEMED = "code_redeemed"
EVENT_CODE_ISSUED = "code_issued"
EVENT_CODE_REVOKED = "code_revoked"


class CodeRefused(InvalidInput):
    """The code cannot be redeemed. The message states why and what to do next."""


@dataclass(frozen=True)
class CodeRequest:
    """Values an admin enters to issue a code."""

    role_id: int
    valid_from: datetime
    valid_until: datetime
    max_uses: int
    school_id: int | None = None
    organisation: str = ""
    note: str = ""


def generate_code() -> str:
    characters = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return "-".join(characters[index:index + GROUP_SIZE]
                    for index in range(0, len(characters), GROUP_SIZE))


def normalize_code(typed: str) -> str:
    """Return the code's characters without separators or spaces, in upper case."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def hash_code(typed: str) -> str:
    """Return the stored form of a code: HMAC-SHA256 keyed with the app's secret key.

    A fast keyed hash is enough here, unlike for passwords: a code has about 79
    random bits, so even a leaked table cannot be brute-forced, and a salt-free
    hash lets redemption find the row by an indexed lookup. Changing
    ROLDESK_SECRET_KEY makes every issued code unusable.
    """
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalize_code(typed).encode(), hashlib.sha256).hexdigest()


def issue_code(admin: Account, request: CodeRequest) -> tuple[ActivationCode, str]:
    """Create a code and commit; return the row and the plain code, which is never stored.

    Raises:
        InvalidInput: the period ends before it starts, or the number of uses is below 1.
    """
    if request.valid_until <= request.valid_from:
        raise InvalidInput(_l("De einddatum moet na de begindatum liggen."),
                           detail=f"valid_until {request.valid_until} <= {request.valid_from}")
    if request.max_uses < 1:
        raise InvalidInput(_l("Het aantal keer te gebruiken moet minstens 1 zijn."),
                           detail=f"max_uses {request.max_uses}")
    if request.school_id is None and not request.organisation.strip():
        raise InvalidInput(_l("Kies een school of vul de naam van de organisatie in."),
                           detail="no school or organisation")
    plain = generate_code()
    code = ActivationCode(code_hash=hash_code(plain), role_id=request.role_id,
                          school_id=request.school_id, organisation=request.organisation.strip(),
                          valid_from=request.valid_from, valid_until=request.valid_until,
                          max_uses=request.max_uses, note=request.note.strip(),
                          created_by_id=admin.id)
    db.session.add(code)
    db.session.flush()
    db.session.add(HistoryEvent(kind=EVENT_CODE_ISSUED, actor_id=admin.id, internal=True,
                                reason=f"activation code {code.id}"))
    db.session.commit()
    logger.info("admin %s issued activation code %s for %s uses", admin.id, code.id, code.max_uses)
    return code, plain


def revoke_code(code: ActivationCode, admin: Account) -> None:
    """Revoke ``code`` so no further use succeeds, and commit."""
    if code.revoked_at is None:
        code.revoked_at = utcnow()
        code.revoked_by_id = admin.id
        db.session.add(HistoryEvent(kind=EVENT_CODE_REVOKED, actor_id=admin.id, internal=True,
                                    reason=f"activation code {code.id}"))
        db.session.commit()
        logger.info("admin %s revoked activation code %s", admin.id, code.id)


def _check_usable(code: ActivationCode | None, account: Account, now: datetime) -> None:
    if code is None:
        raise CodeRefused(_l("Deze activatiecode bestaat niet. Controleer de code en typ hem "
                             "opnieuw over."), detail="no code with this hash")
    if code.revoked_at is not None:
        raise CodeRefused(_l("Deze activatiecode is ingetrokken. Vraag je school of organisatie "
                             "om een nieuwe code."), detail=f"code {code.id} is revoked")
    if now < code.valid_from:
        raise CodeRefused(_l("Deze activatiecode is nog niet geldig. Je kunt hem gebruiken "
                             "vanaf %(moment)s.", moment=local_datetime(code.valid_from)),
                          detail=f"code {code.id} is valid from {code.valid_from}")
    if now >= code.valid_until:
        raise CodeRefused(_l("Deze activatiecode is verlopen. Vraag je school of organisatie om "
                             "een nieuwe code."), detail=f"code {code.id} expired")
    if code.uses >= code.max_uses:
        raise _used_up(code)
    if account.role_id == code.role_id:
        raise CodeRefused(_l("Je account heeft de rol %(role)s al; de code is niet nodig.",
                             role=code.role.label(account.language)),
                          detail=f"account {account.id} already has role {code.role_id}")


def _used_up(code: ActivationCode) -> CodeRefused:
    return CodeRefused(_l("Deze activatiecode is al zo vaak gebruikt als is afgesproken. Vraag je "
                          "school of organisatie om een nieuwe code."),
                       detail=f"code {code.id} used {code.max_uses} times")


def redeem_code(account: Account, typed: str) -> ActivationCode:
    """Give ``account`` the code's role at once, record it in the history, and commit.

    Raises:
        NotAllowed: ``account`` logs in through Entree, which sets its role.
        CodeRefused: the code is unknown, revoked, not yet valid, expired or used up,
            or the account already has the role.
    """
    if account.origin == ORIGIN_ENTREE:
        raise NotAllowed(_l("Je logt in via Entree. Je school bepaalt dan je gebruikersrol, dus "
                            "een activatiecode is niet nodig."),
                         detail=f"account {account.id} is an Entree account")
    now = utcnow()
    code = db.session.scalars(
        select(ActivationCode).where(ActivationCode.code_hash == hash_code(typed))).first()
    _check_usable(code, account, now)
    if db.session.scalars(select(CodeRedemption.id).where(
            CodeRedemption.code_id == code.id, CodeRedemption.account_id == account.id)).first():
        raise CodeRefused(_l("Je hebt deze activatiecode al gebruikt."),
                          detail=f"account {account.id} redeemed code {code.id} before")
    try:
        _take_use(code, account, now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info("account %s redeemed activation code %s", account.id, code.id)
    return code


def _take_use(code: ActivationCode, account: Account, now: datetime) -> None:
    # The WHERE clause makes the check and the increment one atomic step: of two
    # accounts taking the last use at the same moment, the second UPDATE matches no row.
    taken = db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.id == code.id, ActivationCode.uses < ActivationCode.max_uses,
               ActivationCode.revoked_at.is_(None))
        .values(uses=ActivationCode.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        db.session.rollback()
        db.session.refresh(code)
        if code.revoked_at is not None:
            raise CodeRefused(_l("Deze activatiecode is ingetrokken. Vraag je school of "
                                 "organisatie om een nieuwe code."),
                              detail=f"code {code.id} was revoked meanwhile")
        raise _used_up(code)
    previous_role_id = account.role_id
    account_directory().set_role(account, code.role)
    db.session.add(CodeRedemption(code_id=code.id, account_id=account.id,
                                  previous_role_id=previous_role_id, at=now))
    db.session.add(HistoryEvent(kind=EVENT_CODE_REDEEMED, ticket_id=None, account_id=account.id,
                                actor_id=account.id, at=now, to_state=code.role.code,
                                reason=f"activation code {code.id}"))
    db.session.expire(code, ["uses"])
