"""List requests: the draft a school contact prepares, submitting it, and deciding per line.

A draft keeps the list server-side between the upload, the column mapping and
the review, so no input is lost while lines are fixed or dropped. Submitting
turns it into one ticket with a RequestLine per account.
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.extensions import db
from app.models import (
    KIND_ACCOUNT_CREATION,
    KIND_ROLE_CHANGE,
    Account,
    HistoryEvent,
    ListDraft,
    PlatformRole,
    RequestLine,
    Ticket,
)
from app.models.tickets import LINE_APPROVED, LINE_PENDING, LINE_REJECTED
from app.services import list_parsing
from app.services.errors import InvalidInput, NotAllowed, TransitionRefused
from app.services.intake import submit_request
from app.services.list_checks import ListContext, LineVerdict, check_lines
from workflows.ticket_machine import IN_REVIEW

logger = logging.getLogger(__name__)

LIST_KINDS = (KIND_ROLE_CHANGE, KIND_ACCOUNT_CREATION)
REQUIRED_FIELDS = {
    KIND_ROLE_CHANGE: ("email",),
    KIND_ACCOUNT_CREATION: ("email", "first_name", "last_name"),
}
EVENT_LINE_DECISION = "line_decision"


def start_draft(requester: Account, kind: str, role: PlatformRole, motivation: str,
                table: list_parsing.ReadTable) -> ListDraft:
    """Replace the requester's draft with a new one holding ``table``, and commit.

    When the headings name every required column the lines are ready for review;
    otherwise the raw rows wait for the column-mapping step.
    """
    if kind not in LIST_KINDS:
        raise ValueError(f"a list request is role_change or account_creation, not {kind!r}")
    db.session.execute(delete(ListDraft).where(ListDraft.account_id == requester.id))
    draft = ListDraft(account_id=requester.id, kind=kind, wanted_role_id=role.id,
                      motivation=motivation.strip(), lines=[])
    draft.wanted_role = role
    columns = _columns_without_mapping(table)
    if columns is not None and not missing_columns(draft, columns):
        draft.lines = list_parsing.lines_from_table(table, columns)
    else:
        draft.raw_rows = ([table.headings] if table.headings else []) + table.rows
    db.session.add(draft)
    db.session.commit()
    logger.info("account %s started a %s draft of %s rows", requester.id, kind, len(table.rows))
    return draft


def _columns_without_mapping(table: list_parsing.ReadTable) -> dict[str, int] | None:
    """Return the columns when no mapping step is needed: headings named them, or the
    list is a single column of addresses."""
    if table.has_headings:
        return table.columns
    if table.width == 1 and list_parsing.guess_columns(table) == {"email": 0}:
        return {"email": 0}
    return None


def get_draft(requester: Account) -> ListDraft | None:
    return db.session.scalars(select(ListDraft).where(ListDraft.account_id == requester.id)).first()


def missing_columns(draft: ListDraft, columns: dict[str, int]) -> list[str]:
    return list_parsing.missing_fields(columns, REQUIRED_FIELDS[draft.kind])


def draft_table(draft: ListDraft, skip_first: bool = False) -> list_parsing.ReadTable:
    rows = draft.raw_rows or []
    return list_parsing.ReadTable(rows=rows[1:] if skip_first else rows)


def map_columns(draft: ListDraft, columns: dict[str, int], skip_first: bool) -> None:
    """Turn the draft's raw rows into lines with the chosen column per field, and commit.

    Raises:
        InvalidInput: a required field has no column, or two fields share one.
    """
    missing = missing_columns(draft, columns)
    if missing:
        raise InvalidInput(" ".join(list_parsing.missing_column_messages(missing)),
                           detail=f"no column for {missing}")
    if len(set(columns.values())) != len(columns):
        raise InvalidInput(_l("Je hebt één kolom voor twee velden gekozen. Kies voor elk veld een "
                              "andere kolom."), detail=f"columns {columns}")
    draft.lines = list_parsing.lines_from_table(draft_table(draft, skip_first), columns)
    draft.raw_rows = None
    db.session.commit()


def review(draft: ListDraft, requester: Account) -> list[LineVerdict]:
    """Return the verdict on each line of the draft."""
    context = ListContext(draft.kind, draft.wanted_role, requester, draft.lines)
    return check_lines(draft.lines, context)


def update_line(draft: ListDraft, index: int, values: dict[str, str]) -> None:
    """Replace the fields of line ``index`` with what the user typed, and commit."""
    lines = [dict(line) for line in draft.lines]
    if not 0 <= index < len(lines):
        raise InvalidInput(detail=f"draft {draft.id} has no line {index}")
    for name in list_parsing.FIELDS:
        if name in values:
            lines[index][name] = (values[name] or "").strip()[:list_parsing.MAX_CELL_LENGTH]
    draft.lines = lines
    db.session.commit()


def drop_lines(draft: ListDraft, indexes: set[int]) -> None:
    draft.lines = [line for index, line in enumerate(draft.lines) if index not in indexes]
    db.session.commit()


def drop_not_ready(draft: ListDraft, requester: Account) -> int:
    """Drop every line whose verdict is not ready; return how many were dropped."""
    verdicts = review(draft, requester)
    dropped = {index for index, verdict in enumerate(verdicts) if not verdict.ready}
    drop_lines(draft, dropped)
    return len(dropped)


def discard_draft(draft: ListDraft) -> None:
    db.session.delete(draft)
    db.session.commit()


def _request_line(line: dict, verdict: LineVerdict) -> RequestLine:
    return RequestLine(
        email=verdict.normalized or line["email"],
        first_name=(line.get("first_name") or "").strip(),
        tussenvoegsel=(line.get("tussenvoegsel") or "").strip(),
        last_name=(line.get("last_name") or "").strip(),
        account_id=verdict.account.id if verdict.account is not None else None,
        school_id=verdict.school.id if verdict.school is not None else None,
        wanted_role_id=verdict.role.id if verdict.role is not None else None,
        flag=verdict.flag,
    )


def submit_draft(draft: ListDraft, requester: Account) -> Ticket:
    """Check every line again and submit the draft as one ticket; the draft is removed.

    Raises:
        InvalidInput: the draft is empty, or a line is not ready; nothing is stored.
    """
    if not draft.lines:
        raise InvalidInput(_l("De lijst heeft geen regels meer. Upload of plak een nieuwe lijst."),
                           detail=f"draft {draft.id} is empty")
    verdicts = review(draft, requester)
    not_ready = sum(1 for verdict in verdicts if not verdict.ready)
    if not_ready:
        raise InvalidInput(_l("%(count)s regels zijn nog niet in orde. Verbeter of verwijder ze "
                              "en verstuur de lijst dan opnieuw.", count=not_ready),
                           detail=f"draft {draft.id}: {not_ready} lines not ready")
    lines = [_request_line(line, verdict) for line, verdict in zip(draft.lines, verdicts)]
    # The ticket carries the most demanding role on the list, so a four-eyes role
    # anywhere on it needs two agents.
    roles = [verdict.role for verdict in verdicts]
    ticket_role = next((role for role in roles if role.four_eyes), draft.wanted_role)
    subject = str(_l("Lijst van %(count)s regels", count=len(lines)))
    kind = draft.kind
    db.session.delete(draft)
    ticket = submit_request(requester, kind, wanted_role=ticket_role,
                            text={"motivation": draft.motivation, "subject": subject}, lines=lines)
    logger.info("ticket %s: list of %s lines submitted by account %s", ticket.id, len(lines),
                requester.id)
    return ticket


def decide_line(line: RequestLine, agent: Account, approve: bool, reason: str = "") -> None:
    """Approve or reject one line of a ticket in review, with a reason for a rejection, and commit.

    Applying skips rejected lines; pending and approved lines are applied once the
    ticket is approved.

    Raises:
        NotAllowed: ``agent`` is not an agent.
        TransitionRefused: the ticket is not in review.
        InvalidInput: a rejection without a reason.
    """
    _decide(line, agent, approve, reason)
    db.session.commit()


def decide_all_lines(ticket: Ticket, agent: Account, approve: bool, reason: str = "") -> int:
    """Approve or reject every undecided line of ``ticket`` at once, and commit; return how many."""
    pending = [line for line in ticket.lines if line.state == LINE_PENDING]
    for line in pending:
        _decide(line, agent, approve, reason)
    db.session.commit()
    return len(pending)


def _decide(line: RequestLine, agent: Account, approve: bool, reason: str) -> None:
    ticket = line.ticket
    if agent is None or not agent.is_agent:
        raise NotAllowed(detail=f"deciding a line of ticket {ticket.id} needs an agent")
    if ticket.state != IN_REVIEW:
        raise TransitionRefused(detail=f"ticket {ticket.id} is {ticket.state}, not in review")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput(_l("Vul een reden in; die ziet de aanvrager bij de afgewezen regel."),
                           detail=f"rejecting line {line.id} needs a reason")
    line.state = LINE_APPROVED if approve else LINE_REJECTED
    line.outcome = reason
    db.session.add(HistoryEvent(
        ticket_id=ticket.id, actor_id=agent.id, kind=EVENT_LINE_DECISION, internal=True,
        reason=f"{line.position + 1} {line.email}: {line.state} {reason}".strip()))
    logger.info("ticket %s: line %s %s by account %s", ticket.id, line.position + 1, line.state,
                agent.id)
