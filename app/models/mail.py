"""The outbox: every mail is a row, written in the transaction that causes it."""

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

MAIL_PENDING = "pending"
MAIL_SENT = "sent"
MAIL_FAILED = "failed"


class OutboxMail(db.Model):
    """A rendered mail waiting for delivery, or its delivery record once sent or failed."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    template: Mapped[str] = mapped_column(String(60))
    to_address: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(250), default="")
    language: Mapped[str] = mapped_column(String(5), default="nl")
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # Message-ID header, fixed at creation so a receiver can drop a duplicate.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # A worker claims a row before sending; a claim older than the lease may be taken over.
    claimed_at = mapped_column(UTCDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    next_attempt_at = mapped_column(UTCDateTime, nullable=True)
    created_at = mapped_column(UTCDateTime, default=utcnow)
    sent_at = mapped_column(UTCDateTime, nullable=True)


Index("ix_outbox_mail_status_next", OutboxMail.status, OutboxMail.next_attempt_at)
