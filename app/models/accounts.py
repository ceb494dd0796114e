"""Platform accounts, their roles and schools, and staff memberships."""

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

ORIGIN_EMAIL = "email"
ORIGIN_ENTREE = "entree"

STAFF_AGENT = "agent"
STAFF_MANAGER = "manager"
STAFF_ADMIN = "admin"
STAFF_KINDS = (STAFF_AGENT, STAFF_MANAGER, STAFF_ADMIN)


class PlatformRole(db.Model):
    """A gebruikersrol. Roles are rows so an admin can add one without a release."""

    __tablename__ = "platform_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_nl: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    # Approving a change to a four-eyes role takes two different agents.
    four_eyes: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    def label(self, language: str = "nl") -> str:
        return self.label_en if language == "en" else self.label_nl

    def __repr__(self) -> str:
        return f"<PlatformRole {self.code}>"


SEED_ROLES = [
    # code, Dutch label, English label, four eyes
    ("student", "Student", "Student", False),
    ("workplace_trainer", "Praktijkopleider / werkbegeleider", "Workplace trainer", False),
    ("teacher", "Docent", "Teacher", False),
    ("exam_committee", "Lid examencommissie", "Exam committee member", True),
    ("external", "Externe partij", "External party", False),
]
DEFAULT_ROLE_CODE = "student"


class School(db.Model):
    """A school or organisation, identified by name and, where known, its BRIN code."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    brin: Mapped[str | None] = mapped_column(String(8), unique=True)
    # Space-separated mail domains the school uses, for flagging account-creation lines.
    mail_domains: Mapped[str] = mapped_column(String(500), default="")

    def __repr__(self) -> str:
        return f"<School {self.name!r}>"


class Account(UserMixin, db.Model):
    """A Digibib account: every person who logs in, requester or staff."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("email_normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed, for display; email_normalized is the unique, case-folded form mail can reach.
    email: Mapped[str] = mapped_column(String(320))
    email_normalized: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    tussenvoegsel: Mapped[str] = mapped_column(String(30), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    student_number: Mapped[str | None] = mapped_column(String(40))
    role_id: Mapped[int] = mapped_column(ForeignKey("platform_role.id"))
    origin: Mapped[str] = mapped_column(String(10), default=ORIGIN_EMAIL)
    language: Mapped[str] = mapped_column(String(5), default="nl")
    confirmed_at = mapped_column(UTCDateTime, nullable=True)
    profile_completed_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    last_login_at = mapped_column(UTCDateTime, nullable=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)

    role: Mapped[PlatformRole] = relationship(lazy="joined")
    school: Mapped[School | None] = relationship()
    memberships: Mapped[list["StaffMembership"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.tussenvoegsel, self.last_name]
        return " ".join(part for part in parts if part)

    @property
    def staff_kinds(self) -> set[str]:
        return {membership.kind for membership in self.memberships}

    @property
    def is_agent(self) -> bool:
        return STAFF_AGENT in self.staff_kinds

    @property
    def is_manager(self) -> bool:
        return STAFF_MANAGER in self.staff_kinds

    @property
    def is_admin(self) -> bool:
        return STAFF_ADMIN in self.staff_kinds

    @property
    def is_staff(self) -> bool:
        return bool(self.memberships)

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.email_normalized}>"


Index("ix_account_name", Account.last_name, Account.first_name)


class StaffMembership(db.Model):
    """Membership of the helpdesk staff as agent, manager or admin; one account may hold several."""

    __tablename__ = "staff_membership"
    __table_args__ = (UniqueConstraint("account_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))

    account: Mapped[Account] = relationship(back_populates="memberships")
