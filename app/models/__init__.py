"""The models, importable from one place."""

from app.models.accounts import (  # noqa: F401
    DEFAULT_ROLE_CODE,
    ORIGIN_EMAIL,
    ORIGIN_ENTREE,
    SEED_ROLES,
    STAFF_ADMIN,
    STAFF_AGENT,
    STAFF_KINDS,
    STAFF_MANAGER,
    Account,
    PlatformRole,
    School,
    StaffMembership,
)
from app.models.calendar import BusinessHours, CalendarSettings, ClosingDay, HolidaySetting  # noqa: F401
from app.models.codes import ActivationCode, CodeRedemption, FreeMailDomain, ListDraft  # noqa: F401
from app.models.mail import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, OutboxMail  # noqa: F401
from app.models.reasons import RejectionReason  # noqa: F401
from app.models.tickets import (  # noqa: F401
    KIND_ACCOUNT_CREATION,
    KIND_QUESTION,
    KIND_ROLE_CHANGE,
    TICKET_KINDS,
    HistoryEvent,
    RequestLine,
    Ticket,
)
