"""Aggregate SQL behind the manager reports.

Every figure is computed by the database in a GROUP BY or window query that runs
on SQLite and PostgreSQL alike. No function here loads tickets one by one. Time
buckets (weeks, age bands) are passed in as UTC boundaries computed from the
calendar, so the SQL needs no time-zone or date functions of either backend.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, and_, case, cast, func, null, select

from app.extensions import db
from app.models import Account, HistoryEvent, School, Ticket
from app.services import sla_status
from workflows.ticket_machine import OPEN_STATES, SLA_FINAL_STATES, WITHDRAWN

# HistoryEvent.kind of a role change an account made itself with an activation code.
EVENT_CODE_REDEEMED = "code_redeemed"

MEDIAN = (1, 2)
P90 = (9, 10)


@dataclass(frozen=True)
class ReportFilters:
    """The dashboard's filters; None means all."""

    kind: str | None = None
    wanted_role_id: int | None = None
    school_id: int | None = None
    assignee_id: int | None = None

    def clauses(self) -> list:
        clauses = []
        if self.kind is not None:
            clauses.append(Ticket.kind == self.kind)
        if self.wanted_role_id is not None:
            clauses.append(Ticket.wanted_role_id == self.wanted_role_id)
        if self.school_id is not None:
            clauses.append(Ticket.school_id == self.school_id)
        if self.assignee_id is not None:
            clauses.append(Ticket.assignee_id == self.assignee_id)
        return clauses


@dataclass(frozen=True)
class Window:
    """A half-open range of UTC moments, [start, end)."""

    start: datetime
    end: datetime

    def contains(self, column):
        return and_(column >= self.start, column < self.end)


def _closed_in(window: Window, filters: ReportFilters) -> list:
    return [window.contains(Ticket.closed_at), *filters.clauses()]


def _sla_closed_in(window: Window, filters: ReportFilters) -> list:
    """Return the WHERE clauses for requests that reached applied, rejected or answered in ``window``.

    The clock sets sla_met exactly for those final states, and testing it in place of
    the state keeps SQLite on the closed_at index instead of a state-first one.
    """
    return [*_closed_in(window, filters), Ticket.sla_met.is_not(None)]


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def percentiles(value, where: Sequence, fractions: Sequence[tuple[int, int]], group=None) -> dict:
    """Return interpolated percentiles of ``value`` per ``group`` as {key: [seconds, ...]}.

    ``fractions`` are (numerator, denominator) pairs such as (1, 2) for the median.
    The interpolation is that of PostgreSQL's percentile_cont and Excel's
    PERCENTILE.INC: position (n - 1) * p in the sorted values, between the two
    neighbouring values. SQLite has no percentile function, so the rows are ranked
    with ROW_NUMBER and weighted with integer arithmetic that both backends share.
    The key is None when ``group`` is None.
    """
    partition = [group] if group is not None else []
    key = group if group is not None else null()
    ranked = select(
        key.label("key"),
        value.label("value"),
        func.row_number().over(partition_by=partition, order_by=value).label("rank"),
        func.count().over(partition_by=partition).label("n"),
    ).where(*where, value.is_not(None)).subquery()

    columns = []
    for numerator, denominator in fractions:
        scaled = (ranked.c.n - 1) * numerator
        low = scaled // denominator
        remainder = scaled % denominator
        weight = (case((ranked.c.rank - 1 == low, denominator - remainder), else_=0)
                  + case((ranked.c.rank - 1 == low + 1, remainder), else_=0))
        columns.append(cast(func.sum(ranked.c.value * weight), Float) / denominator)
    rows = db.session.execute(select(ranked.c.key, *columns).group_by(ranked.c.key)).all()
    return {row[0]: list(row[1:]) for row in rows}


def received_count(window: Window, filters: ReportFilters) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Ticket)
        .where(window.contains(Ticket.submitted_at), *filters.clauses())
    )


def closed_counts(window: Window, filters: ReportFilters) -> dict[str, int]:
    """Count requests closed, withdrawn and closed within the promise in ``window``."""
    row = db.session.execute(
        select(
            _count_if(Ticket.state.in_(SLA_FINAL_STATES)).label("closed"),
            _count_if(Ticket.state == WITHDRAWN).label("withdrawn"),
            _count_if(and_(Ticket.state.in_(SLA_FINAL_STATES), Ticket.sla_met.is_(True))).label("within"),
        ).where(*_closed_in(window, filters))
    ).one()
    return row._asdict()


def handling_percentiles(window: Window, filters: ReportFilters, group=None) -> dict:
    """Return {key: [median, p90]} of handling seconds of requests closed in ``window``."""
    return percentiles(Ticket.handling_seconds, _sla_closed_in(window, filters), (MEDIAN, P90), group)


def first_response_median(window: Window, filters: ReportFilters) -> float | None:
    """Return the median business seconds to the first response, over requests received in ``window``."""
    where = [window.contains(Ticket.submitted_at), *filters.clauses()]
    values = percentiles(Ticket.first_response_seconds, where, (MEDIAN,))
    return values.get(None, [None])[0]


def week_index(column, boundaries: Sequence[datetime]):
    """Return a CASE giving the number of the bucket [boundaries[i], boundaries[i + 1]) ``column`` is in."""
    return case(*[(column < end, index) for index, end in enumerate(boundaries[1:])], else_=None)


def weekly_received(boundaries: Sequence[datetime], filters: ReportFilters) -> dict[int, int]:
    window = Window(boundaries[0], boundaries[-1])
    bucket = week_index(Ticket.submitted_at, boundaries).label("week")
    rows = db.session.execute(
        select(bucket, func.count()).where(window.contains(Ticket.submitted_at), *filters.clauses())
        .group_by(bucket)
    ).all()
    return dict(rows)


def weekly_closed(boundaries: Sequence[datetime], filters: ReportFilters) -> dict[int, tuple[int, int]]:
    """Return {week: (closed, within)} for requests that reached applied, rejected or answered."""
    window = Window(boundaries[0], boundaries[-1])
    bucket = week_index(Ticket.closed_at, boundaries).label("week")
    rows = db.session.execute(
        select(bucket, func.count(), _count_if(Ticket.sla_met.is_(True)))
        .where(*_sla_closed_in(window, filters)).group_by(bucket)
    ).all()
    return {week: (closed, within) for week, closed, within in rows}


def backlog(filters: ReportFilters, age_cutoffs: Sequence[datetime]) -> list[tuple[str, int, int]]:
    """Return (state, age band, count) of open requests now.

    ``age_cutoffs`` are moments from recent to old. Band i contains the requests submitted
    after cutoff i and at or before cutoff i - 1, and the last band everything older.
    """
    band = case(*[(Ticket.submitted_at > cutoff, index) for index, cutoff in enumerate(age_cutoffs)],
                else_=len(age_cutoffs)).label("band")
    rows = db.session.execute(
        select(Ticket.state, band, func.count())
        .where(Ticket.state.in_(OPEN_STATES), *filters.clauses()).group_by(Ticket.state, band)
    ).all()
    return [tuple(row) for row in rows]


def sla_status_counts(filters: ReportFilters, now: datetime) -> dict[str, int]:
    """Count open requests on track, at risk and breached at ``now``."""
    status = sla_status.status_column(now).label("status")
    rows = db.session.execute(
        select(status, func.count())
        .where(Ticket.state.in_(OPEN_STATES), *filters.clauses()).group_by(status)
    ).all()
    counts = {name: 0 for name in sla_status.SLA_STATUSES}
    counts.update(dict(rows))
    return counts


def closed_by(group, window: Window, filters: ReportFilters) -> dict:
    """Return {key: (closed, within)} of requests closed in ``window``, grouped by ``group``."""
    rows = db.session.execute(
        select(group, func.count(), _count_if(Ticket.sla_met.is_(True)))
        .where(*_sla_closed_in(window, filters)).group_by(group)
    ).all()
    return {key: (closed, within) for key, closed, within in rows}


def received_by(group, window: Window, filters: ReportFilters) -> dict:
    rows = db.session.execute(
        select(group, func.count())
        .where(window.contains(Ticket.submitted_at), *filters.clauses()).group_by(group)
    ).all()
    return dict(rows)


def open_by(group, filters: ReportFilters, now: datetime) -> dict:
    """Return {key: (open, breached)} of requests open at ``now``, grouped by ``group``."""
    rows = db.session.execute(
        select(group, func.count(), _count_if(sla_status.breached(now)))
        .where(Ticket.state.in_(OPEN_STATES), *filters.clauses()).group_by(group)
    ).all()
    return {key: (count, breached) for key, count, breached in rows}


def self_service_changes(window: Window, school_id: int | None) -> int:
    """Count role changes made with an activation code in ``window``, optionally for one school."""
    query = select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.kind == EVENT_CODE_REDEEMED,
        HistoryEvent.ticket_id.is_(None),
        window.contains(HistoryEvent.at),
    )
    if school_id is not None:
        query = query.join(Account, Account.id == HistoryEvent.account_id).where(
            Account.school_id == school_id)
    return db.session.scalar(query)


def agent_names(ids) -> dict[int, str]:
    rows = db.session.execute(
        select(Account.id, Account.first_name, Account.tussenvoegsel, Account.last_name)
        .where(Account.id.in_(list(ids)))
    ).all()
    return {row.id: " ".join(part for part in row[1:] if part) for row in rows}


def school_names(ids) -> dict[int, str]:
    rows = db.session.execute(select(School.id, School.name).where(School.id.in_(list(ids)))).all()
    return dict(rows)
