"""The helpdesk queue as one SQL query: filters, search, counts per state and pages.

Every filter and the sort run in the database. The composite ``(column, state,
due_at)`` indexes declared in ``app.models.tickets`` let it read a page of open
tickets in due order from an index instead of sorting the whole table.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import TICKET_KINDS, Account, Ticket
from app.services import sla_status
from workflows.ticket_machine import OPEN_STATES, STATES

STATE_OPEN = "open"
STATE_ALL = "all"
STATE_CHOICES = (STATE_OPEN, STATE_ALL, *STATES)
ASSIGNEE_MINE = "mine"
ASSIGNEE_UNASSIGNED = "unassigned"
ASSIGNEE_EVERYONE = "everyone"
ASSIGNEE_CHOICES = (ASSIGNEE_EVERYONE, ASSIGNEE_MINE, ASSIGNEE_UNASSIGNED)
PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100


@dataclass(frozen=True)
class QueueFilter:
    """One view of the queue, as read from and written back to a query string."""

    state: str = STATE_OPEN
    kind: str = ""
    sla: str = ""
    school_id: int | None = None
    role_id: int | None = None
    assignee: str = ASSIGNEE_EVERYONE
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        """Read a filter from request arguments; unknown values fall back to the default view."""

        def number(name: str) -> int | None:
            value = args.get(name, "")
            return int(value) if value.isdigit() else None

        state = args.get("state", STATE_OPEN)
        assignee = args.get("assignee", ASSIGNEE_EVERYONE)
        return cls(
            state=state if state in STATE_CHOICES else STATE_OPEN,
            kind=args.get("kind", "") if args.get("kind") in TICKET_KINDS else "",
            sla=args.get("sla", "") if args.get("sla") in sla_status.SLA_STATUSES else "",
            school_id=number("school"),
            role_id=number("role"),
            assignee=assignee if assignee in ASSIGNEE_CHOICES else ASSIGNEE_EVERYONE,
            search=args.get("q", "").strip()[:MAX_SEARCH_LENGTH],
            page=max(number("page") or 1, 1),
        )

    def query_args(self, **changes) -> dict:
        """Return the non-default arguments of this filter with ``changes``, for links."""
        view = replace(self, **changes)
        args = {"state": view.state if view.state != STATE_OPEN else None,
                "kind": view.kind, "sla": view.sla, "school": view.school_id,
                "role": view.role_id,
                "assignee": view.assignee if view.assignee != ASSIGNEE_EVERYONE else None,
                "q": view.search, "page": view.page if view.page > 1 else None}
        return {name: value for name, value in args.items() if value}

    def query_string(self, **changes) -> str:
        return urlencode(self.query_args(**changes))


@dataclass
class QueuePage:
    tickets: list[Ticket]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


# Rendered into the SQL text rather than sent as parameters, so PostgreSQL can match the
# clause to the partial index ix_ticket_open_due even in a generic plan.
_OPEN_STATES_INLINE = bindparam("open_states", list(OPEN_STATES), expanding=True,
                                literal_execute=True)


def _search_clause(search: str):
    pattern = f"%{search.lower()}%"
    # "||" rather than concat(), which SQLite lacks.
    short_name = func.lower(Account.first_name + " " + Account.last_name)
    full_name = func.lower(Account.first_name + " " + Account.tussenvoegsel + " " + Account.last_name)
    return or_(
        func.upper(Ticket.reference) == search.upper(),
        Ticket.requester_id.in_(
            select(Account.id).where(or_(Account.email_normalized.like(pattern),
                                         short_name.like(pattern), full_name.like(pattern)))
        ),
    )


def _filtered(view: QueueFilter, agent: Account, now: datetime, with_state: bool = True) -> Select:
    query = select(Ticket)
    if with_state and view.state == STATE_OPEN:
        query = query.where(Ticket.state.in_(_OPEN_STATES_INLINE))
    elif with_state and view.state != STATE_ALL:
        query = query.where(Ticket.state == view.state)
    if view.kind:
        query = query.where(Ticket.kind == view.kind)
    if view.sla:
        query = query.where(sla_status.status_filter(view.sla, now))
    if view.school_id is not None:
        query = query.where(Ticket.school_id == view.school_id)
    if view.role_id is not None:
        query = query.where(Ticket.wanted_role_id == view.role_id)
    if view.assignee == ASSIGNEE_MINE:
        query = query.where(Ticket.assignee_id == agent.id)
    elif view.assignee == ASSIGNEE_UNASSIGNED:
        query = query.where(Ticket.assignee_id.is_(None))
    if view.search:
        # NOTE: a substring search on name and e-mail scans the account table; an exact
        # reference is found through its unique index.
        query = query.where(_search_clause(view.search))
    return query


def state_counts(view: QueueFilter, agent: Account, now: datetime) -> dict[str, int]:
    """Count the tickets per state under every filter of ``view`` except the state."""
    subquery = _filtered(view, agent, now, with_state=False).with_only_columns(Ticket.state).subquery()
    rows = db.session.execute(select(subquery.c.state, func.count()).group_by(subquery.c.state))
    counts = {state: 0 for state in STATES}
    counts.update({state: count for state, count in rows})
    counts[STATE_OPEN] = sum(counts[state] for state in OPEN_STATES)
    counts[STATE_ALL] = sum(counts[state] for state in STATES)
    return counts


def load_queue(view: QueueFilter, agent: Account, now: datetime,
               page_size: int = PAGE_SIZE) -> QueuePage:
    """Return one page of the queue, soonest due first, with the counts per state."""
    query = _filtered(view, agent, now)
    counts = state_counts(view, agent, now)
    total = counts[view.state]
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(view.page, pages)
    ordered = (
        # The accounts' staff memberships would each be one more query, and the page shows none.
        query.options(joinedload(Ticket.requester).lazyload(Account.memberships), joinedload(Ticket.school),
                      joinedload(Ticket.wanted_role), joinedload(Ticket.assignee).lazyload(Account.memberships))
        .order_by(Ticket.due_at.asc().nulls_last(), Ticket.id)
        .limit(page_size).offset((page - 1) * page_size)
    )
    tickets = list(db.session.scalars(ordered).unique())
    return QueuePage(tickets=tickets, total=total, page=page, pages=pages, counts=counts)
