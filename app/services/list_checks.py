"""The verdict on each line of a list request, shown before the list is submitted."""

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import KIND_ACCOUNT_CREATION, ORIGIN_ENTREE, Account, PlatformRole, School
from app.services import account_creation as creation

READY = "ready"
UNKNOWN_ACCOUNT = "unknown_account"
ENTREE = "entree"
HAS_ROLE = "has_role"
DUPLICATE = "duplicate"
MALFORMED = "malformed"
UNKNOWN_ROLE = "unknown_role"
FREE_MAIL = "free_mail"
MISSING_NAME = "missing_name"
UNKNOWN_SCHOOL = "unknown_school"

VERDICT_LABELS = {
    READY: _l("klaar"),
    UNKNOWN_ACCOUNT: _l("onbekend account"),
    ENTREE: _l("Entree-account"),
    HAS_ROLE: _l("heeft deze rol al"),
    DUPLICATE: _l("dubbele regel"),
    MALFORMED: _l("ongeldig e-mailadres"),
    UNKNOWN_ROLE: _l("onbekende rol"),
    FREE_MAIL: _l("gratis e-maildienst"),
    MISSING_NAME: _l("naam ontbreekt"),
    UNKNOWN_SCHOOL: _l("onbekende school"),
}

NAME_LIMITS = {"first_name": 100, "tussenvoegsel": 30, "last_name": 100}


@dataclass
class LineVerdict:
    """The verdict on one line: ``code`` is READY or the reason it cannot be submitted."""

    code: str
    message: str = ""
    # A note for the agent on a line that can be submitted, stored as RequestLine.flag.
    flag: str = ""
    normalized: str | None = None
    account: Account | None = None
    role: PlatformRole | None = None
    school: School | None = None

    @property
    def ready(self) -> bool:
        return self.code == READY

    @property
    def label(self) -> str:
        return str(VERDICT_LABELS[self.code])


class ListContext:
    """The roles, accounts, schools and free-mail domains the lines are checked against, loaded once."""

    def __init__(self, kind: str, default_role: PlatformRole | None, requester: Account,
                 lines: list[dict]):
        self.kind = kind
        self.default_role = default_role
        self.requester = requester
        self.roles = db.session.scalars(select(PlatformRole).where(PlatformRole.active)).all()
        addresses = {creation.normalized_or_none(line.get("email", "")) for line in lines}
        addresses.discard(None)
        self.accounts = self._accounts(addresses)
        if kind == KIND_ACCOUNT_CREATION:
            self.schools = db.session.scalars(select(School)).all()
            self.free_mail = creation.free_mail_domains()

    @staticmethod
    def _accounts(addresses: set[str]) -> dict[str, Account]:
        found: dict[str, Account] = {}
        ordered = sorted(addresses)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            for account in db.session.scalars(
                    select(Account).where(Account.email_normalized.in_(chunk))):
                found[account.email_normalized] = account
        return found

    def role_for(self, text: str) -> PlatformRole | None:
        key = text.strip().casefold()
        if not key:
            return self.default_role
        for role in self.roles:
            if key in (role.code.casefold(), role.label_nl.casefold(), role.label_en.casefold()):
                return role
        return None


def _role_label(role: PlatformRole) -> str:
    locale = get_locale()
    return role.label(locale.language if locale is not None else "nl")


def check_lines(lines: list[dict], context: ListContext) -> list[LineVerdict]:
    """Return the verdict on each line, in order; a repeated address is a duplicate."""
    seen: set[str] = set()
    verdicts = []
    for line in lines:
        verdict = _check_address(line, seen)
        if verdict is None:
            if context.kind == KIND_ACCOUNT_CREATION:
                verdict = _check_person(line, context)
            else:
                verdict = _check_role_change(line, context)
        verdicts.append(verdict)
    return verdicts


def _check_address(line: dict, seen: set[str]) -> LineVerdict | None:
    address = (line.get("email") or "").strip()
    normalized = creation.normalized_or_none(address) if address else None
    if normalized is None:
        return LineVerdict(MALFORMED, str(_l(
            "‘%(value)s’ is geen geldig e-mailadres. Verbeter het adres of verwijder de regel.",
            value=address)) if address else str(_l("Het e-mailadres ontbreekt. Vul het in of "
                                                   "verwijder de regel.")))
    if normalized in seen:
        return LineVerdict(DUPLICATE, str(_l("Dit adres staat al eerder in de lijst. Verwijder "
                                             "deze regel.")), normalized=normalized)
    seen.add(normalized)
    return None


def _role_or_verdict(line: dict, context: ListContext) -> PlatformRole | LineVerdict:
    role = context.role_for(line.get("role") or "")
    if role is None:
        return LineVerdict(UNKNOWN_ROLE, str(_l(
            "De rol ‘%(value)s’ bestaat niet. Kies een van de rollen uit de lijst.",
            value=line.get("role", ""))))
    return role


def _check_role_change(line: dict, context: ListContext) -> LineVerdict:
    normalized = creation.normalized_or_none(line["email"])
    role = _role_or_verdict(line, context)
    if isinstance(role, LineVerdict):
        return role
    account = context.accounts.get(normalized)
    if account is None:
        return LineVerdict(UNKNOWN_ACCOUNT, str(_l(
            "Er is geen account met dit e-mailadres. Controleer het adres, of vraag de persoon "
            "eerst een account aan te maken.")), normalized=normalized, role=role)
    if account.origin == ORIGIN_ENTREE:
        return LineVerdict(ENTREE, str(_l(
            "Dit account logt in via Entree; de school bepaalt de rol. Verwijder de regel.")),
            normalized=normalized, account=account, role=role)
    if account.role_id == role.id:
        return LineVerdict(HAS_ROLE, str(_l(
            "Dit account heeft de rol %(role)s al. Verwijder de regel.", role=_role_label(role))),
            normalized=normalized, account=account, role=role)
    return LineVerdict(READY, normalized=normalized, account=account, role=role)


def _check_person(line: dict, context: ListContext) -> LineVerdict:
    normalized = creation.normalized_or_none(line["email"])
    role = _role_or_verdict(line, context)
    if isinstance(role, LineVerdict):
        return role
    if creation.is_free_mail(normalized, context.free_mail):
        return LineVerdict(FREE_MAIL, str(creation.FREE_MAIL_MESSAGE), normalized=normalized)

    if not (line.get("first_name") or "").strip() or not (line.get("last_name") or "").strip():
        return LineVerdict(MISSING_NAME, str(_l("Vul de voornaam en de achternaam in.")),
                           normalized=normalized)
    for name, limit in NAME_LIMITS.items():
        if len(line.get(name) or "") > limit:
            return LineVerdict(MISSING_NAME, str(_l(
                "Een naam is langer dan %(limit)s tekens. Kort de naam in.", limit=limit)),
                normalized=normalized)

    school = _school_or_verdict(line, context)
    if isinstance(school, LineVerdict):
        return school

    account = context.accounts.get(normalized)
    if account is not None and account.origin == ORIGIN_ENTREE:
        return LineVerdict(ENTREE, str(_l(
            "Dit adres hoort bij een account dat via Entree inlogt; er is geen nieuw account "
            "nodig. Verwijder de regel.")), normalized=normalized, account=account)

    flags = []
    if account is not None:
        flags.append(str(_l("Heeft al een account met de rol %(role)s.",
                               role=_role_label(account.role))))
    if creation.outside_school_domains(normalized, school):
        flags.append(str(_l("Adres valt buiten de e-maildomeinen van %(school)s.",
                            school=school.name)))
    return LineVerdict(READY, flag=" ".join(flags)[:200], normalized=normalized, account=account,
                       role=role, school=school)


def _school_or_verdict(line: dict, context: ListContext) -> School | LineVerdict:
    text = (line.get("school") or "").strip()
    if not text:
        if context.requester.school is not None:
            return context.requester.school
        return LineVerdict(UNKNOWN_SCHOOL, str(_l("Vul de school of organisatie in.")))
    school = creation.find_school(text, context.schools)
    if school is None:
        return LineVerdict(UNKNOWN_SCHOOL, str(_l(
            "De school ‘%(value)s’ is niet bekend. Gebruik de naam of BRIN-code zoals die in "
            "Roldesk staat.", value=text)))
    return school
