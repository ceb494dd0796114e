"""Standard reasons for rejecting a request, kept by admins."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class RejectionReason(db.Model):
    """A standard rejection reason an agent can pick instead of typing it each time.

    The requester reads the Dutch text, or the English one when their account's
    language is English and an English text exists. Agents pick a reason by its label.
    """

    __tablename__ = "rejection_reason"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_nl: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    # An inactive reason is no longer offered to agents but stays listed for admins.
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(80), default="")

    def text(self, language: str = "nl") -> str:
        return self.text_en if language == "en" and self.text_en else self.text_nl

    def __repr__(self) -> str:
        return f"<RejectionReason {self.id} {self.label!r}>"
