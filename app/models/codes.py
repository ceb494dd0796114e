"""Activation codes, list drafts and admin-added free-mail domains."""

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Account, PlatformRole, School
from app.models.types import UTCDateTime, utcnow


class ActivationCode(db.Model):
    """An activatiecode an admin issues to a school or organisation.

    Only a keyed hash of the code is stored (see ``app.services.codes``); the
    plain code is shown once, when it is issued. ``uses`` only grows through a
    conditional UPDATE so two accounts redeeming the last use cannot both win.
    """

    __tablename__ = "activation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("platform_role.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    # Name of an organisation that is not a school, such as a training company.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    valid_from = mapped_column(UTCDateTime, nullable=False)
    valid_until = mapped_column(UTCDateTime, nullable=False)
    max_uses: Mapped[int] = mapped_column()
    uses: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at = mapped_column(UTCDateTime, default=utcnow)
    revoked_at = mapped_column(UTCDateTime, nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    role: Mapped[PlatformRole] = relationship()
    school: Mapped[School | None] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[Account | None] = relationship(foreign_keys=[revoked_by_id])
    redemptions: Mapped[list["CodeRedemption"]] = relationship(
        back_populates="code", order_by="CodeRedemption.id"
    )

    @property
    def holder(self) -> str:
        """The school or organisation the code was issued to, for display."""
        return self.school.name if self.school is not None else self.organisation


class CodeRedemption(db.Model):
    """One successful use of an activation code by an account."""

    __tablename__ = "code_redemption"
    __table_args__ = (UniqueConstraint("code_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("activation_code.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    previous_role_id: Mapped[int | None] = mapped_column(ForeignKey("platform_role.id"))
    at = mapped_column(UTCDateTime, default=utcnow)

    code: Mapped[ActivationCode] = relationship(back_populates="redemptions")
    account: Mapped[Account] = relationship()
    previous_role: Mapped[PlatformRole | None] = relationship()


class FreeMailDomain(db.Model):
    """A free-mail domain an admin added to the list the package ships."""

    __tablename__ = "free_mail_domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    added_at = mapped_column(UTCDateTime, default=utcnow)


class ListDraft(db.Model):
    """A list request being prepared: the rows read from a file or paste, kept between pages.

    A list of 1,000 lines does not fit in a session cookie, so drafts live here
    until they are submitted or dropped. Each account has at most one draft.
    """

    # NOTE: a draft its owner never returns to stays until they start a new list;
    # no periodic task removes old drafts yet.

    __tablename__ = "list_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    wanted_role_id: Mapped[int | None] = mapped_column(ForeignKey("platform_role.id"))
    motivation: Mapped[str] = mapped_column(Text, default="")
    # Rows as read, before the columns are known: a list of lists of strings.
    raw_rows: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # Lines after mapping: a list of dicts with the field names of a RequestLine.
    lines: Mapped[list] = mapped_column(JSON, default=list)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    wanted_role: Mapped[PlatformRole | None] = relationship()
