"""Requests (tickets), their lines, and the append-only history."""

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.accounts import Account, PlatformRole, School
from app.models.types import UTCDateTime, utcnow
from workflows.ticket_machine import OPEN_STATES

KIND_ROLE_CHANGE = "role_change"
KIND_ACCOUNT_CREATION = "account_creation"
KIND_QUESTION = "question"
TICKET_KINDS = (KIND_ROLE_CHANGE, KIND_ACCOUNT_CREATION, KIND_QUESTION)


class Ticket(db.Model):
    """A request (verzoek) and the working-time figures the SLA reports aggregate.

    The state column is written only by ``app.services.workflow.fire_trigger``.
    ``version`` is an optimistic lock: an UPDATE that finds another version
    matches no row, so of two concurrent changes only the first commits.
    """

    __tablename__ = "ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30), default="submitted")
    version: Mapped[int] = mapped_column(default=1)

    requester_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    # The requester's school at submission, so queue filters need no join through the account.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"), index=True)
    wanted_role_id: Mapped[int | None] = mapped_column(ForeignKey("platform_role.id"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="nl")

    # Working-day clock: moments in UTC, durations in business seconds, the target in minutes.
    submitted_at = mapped_column(UTCDateTime, default=utcnow)
    # When the current working day started: the submission, or the latest reopening.
    clock_started_at = mapped_column(UTCDateTime, default=utcnow)
    sla_minutes: Mapped[int] = mapped_column(default=510)
    original_due_at = mapped_column(UTCDateTime, nullable=True)
    due_at = mapped_column(UTCDateTime, nullable=True)
    # The moment 75% of the SLA is used; the sweep compares it with the clock.
    at_risk_at = mapped_column(UTCDateTime, nullable=True)
    paused_at = mapped_column(UTCDateTime, nullable=True)
    # Business time left when the clock was paused.
    remaining_seconds: Mapped[int | None] = mapped_column(nullable=True)
    # Business time spent waiting for the requester, left out of the handling time.
    waiting_seconds: Mapped[int] = mapped_column(default=0)
    first_response_at = mapped_column(UTCDateTime, nullable=True)
    # Business time from submission to the first response by an agent.
    first_response_seconds: Mapped[int | None] = mapped_column(nullable=True)
    closed_at = mapped_column(UTCDateTime, nullable=True)
    handling_seconds: Mapped[int | None] = mapped_column(nullable=True)
    sla_met: Mapped[bool | None] = mapped_column(nullable=True)
    at_risk_notified_at = mapped_column(UTCDateTime, nullable=True)
    breach_notified_at = mapped_column(UTCDateTime, nullable=True)
    reopened_count: Mapped[int] = mapped_column(default=0)

    # The first of two approvals for a four-eyes role.
    first_approver_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    apply_error: Mapped[str | None] = mapped_column(Text)
    apply_attempts: Mapped[int] = mapped_column(default=0)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    requester: Mapped[Account] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[Account | None] = relationship(foreign_keys=[assignee_id])
    first_approver: Mapped[Account | None] = relationship(foreign_keys=[first_approver_id])
    school: Mapped[School | None] = relationship()
    wanted_role: Mapped[PlatformRole | None] = relationship()
    lines: Mapped[list["RequestLine"]] = relationship(
        back_populates="ticket", order_by="RequestLine.position", cascade="all, delete-orphan"
    )
    events: Mapped[list["HistoryEvent"]] = relationship(
        back_populates="ticket", order_by="HistoryEvent.id", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.reference} {self.state}>"


# The queue's default view and the sweep both read open tickets by due time.
Index("ix_ticket_state_due", Ticket.state, Ticket.due_at)
Index("ix_ticket_state_at_risk", Ticket.state, Ticket.at_risk_at)
Index("ix_ticket_submitted_at", Ticket.submitted_at)
Index("ix_ticket_closed_at", Ticket.closed_at)
# Queue filters on kind, wanted role and assignee, each sorted by due time.
Index("ix_ticket_kind_state_due", Ticket.kind, Ticket.state, Ticket.due_at)
Index("ix_ticket_role_state_due", Ticket.wanted_role_id, Ticket.state, Ticket.due_at)
Index("ix_ticket_assignee_state_due", Ticket.assignee_id, Ticket.state, Ticket.due_at)
Index("ix_ticket_school_state_due", Ticket.school_id, Ticket.state, Ticket.due_at)
# The default queue view (every open state, soonest due first) and the "all" view read these
# in order and stop after one page, instead of sorting every matching row.
Index("ix_ticket_open_due", Ticket.due_at, Ticket.id,
      postgresql_where=Ticket.state.in_(OPEN_STATES), sqlite_where=Ticket.state.in_(OPEN_STATES))
Index("ix_ticket_due", Ticket.due_at, Ticket.id)


LINE_PENDING = "pending"
LINE_APPROVED = "approved"
LINE_REJECTED = "rejected"
LINE_APPLIED = "applied"
LINE_FAILED = "failed"


class RequestLine(db.Model):
    """One account, or one person to create, inside a request (a regel)."""

    __tablename__ = "request_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    tussenvoegsel: Mapped[str] = mapped_column(String(30), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id"))
    wanted_role_id: Mapped[int | None] = mapped_column(ForeignKey("platform_role.id"))
    state: Mapped[str] = mapped_column(String(20), default=LINE_PENDING)
    # Outcome shown to the requester, e.g. the reason a line was rejected or failed.
    outcome: Mapped[str] = mapped_column(Text, default="")
    # A flag the agent should see, e.g. "address outside the school's domains".
    flag: Mapped[str] = mapped_column(String(200), default="")

    ticket: Mapped[Ticket] = relationship(back_populates="lines")
    account: Mapped[Account | None] = relationship()
    school: Mapped[School | None] = relationship()
    wanted_role: Mapped[PlatformRole | None] = relationship()


EVENT_TRANSITION = "transition"
EVENT_MESSAGE = "message"
EVENT_NOTE = "note"
EVENT_ASSIGN = "assign"
EVENT_FIRST_APPROVAL = "first_approval"
EVENT_APPLY_FAILED = "apply_failed"
EVENT_ROLE_CHANGED = "role_changed"
EVENT_AT_RISK = "at_risk"
EVENT_BREACHED = "breached"


class HistoryEvent(db.Model):
    """One row of a ticket's history: a state change, a message, a note or an audit fact.

    Rows are append-only; an ORM update or delete raises. ``internal`` rows are
    never shown or mailed to the requester.
    """

    __tablename__ = "history_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    # Set for events about an account outside any ticket, e.g. redeeming an activation code.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    at = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), default=EVENT_TRANSITION)
    trigger: Mapped[str | None] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str | None] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    internal: Mapped[bool] = mapped_column(default=False)

    ticket: Mapped[Ticket | None] = relationship(back_populates="events")
    actor: Mapped[Account | None] = relationship(foreign_keys=[actor_id])


# The manager reports count self-service role changes (kind "code_redeemed") in a period.
Index("ix_history_event_kind_at", HistoryEvent.kind, HistoryEvent.at)


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a history row."""


@event.listens_for(HistoryEvent, "before_update")
def _refuse_history_update(mapper, connection, target):
    raise AppendOnlyError(f"history event {target.id} is append-only and cannot be updated")


@event.listens_for(HistoryEvent, "before_delete")
def _refuse_history_delete(mapper, connection, target):
    raise AppendOnlyError(f"history event {target.id} is append-only and cannot be deleted")
