"""Exports of the dashboard figures and of a filtered ticket list, as CSV and XLSX.

CSV is UTF-8 with a byte order mark and ``;`` between fields, with a decimal
comma, which is what Excel with Dutch regional settings opens without an import
wizard. Text cells that a spreadsheet would run as a formula are neutralised;
numbers and moments are written as numbers and dates.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import get_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.formatting import KIND_LABELS, STATE_LABELS
from app.models import Account, PlatformRole, School, Ticket
from app.models.types import utcnow
from app.services import sla_status
from app.services.reports import AGE_BAND_DAYS, Dashboard, GroupRow, Period
from app.services.reports_queries import ReportFilters
from workflows.ticket_machine import OPEN_STATES

# A spreadsheet treats a cell starting with one of these as a formula or a command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DECIMAL_FORMAT = "0.0#"


@dataclass
class Table:
    """One exported table: a title (the XLSX sheet name), column headings and rows of values."""

    title: str
    headings: list[str]
    rows: Iterable[list]


def _role_label():
    """Return the role-label column in the export's language."""
    return PlatformRole.label_en if str(get_locale()) == "en" else PlatformRole.label_nl


def neutralise(text: str) -> str:
    """Prefix text that starts like a formula with an apostrophe, so spreadsheets show it as text."""
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _local(moment: datetime) -> datetime:
    """Return ``moment`` as naive local time, because spreadsheets have no time zones."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


# ---- The tables -----------------------------------------------------------------------------

def dashboard_tables(dashboard: Dashboard, filter_labels: dict[str, str]) -> list[Table]:
    """Return the dashboard's figures as tables; ``filter_labels`` names the chosen filters."""
    figures = [
        [_("Periode van"), dashboard.period.first_day],
        [_("Periode tot en met"), dashboard.period.last_day],
        *([label, value] for label, value in filter_labels.items()),
        [_("Ontvangen"), dashboard.received],
        [_("Afgehandeld"), dashboard.closed],
        [_("Ingetrokken"), dashboard.withdrawn],
        [_("Binnen één werkdag afgehandeld"), dashboard.within],
        [_("Binnen één werkdag (%)"), dashboard.share_within],
        [_("Mediaan afhandeltijd (werkuren)"), dashboard.handling_median_hours],
        [_("90e percentiel afhandeltijd (werkuren)"), dashboard.handling_p90_hours],
        [_("Mediaan tijd tot eerste reactie (werkuren)"), dashboard.first_response_median_hours],
        [_("Openstaand nu"), dashboard.backlog_total],
        [_("Dreigt te laat nu"), dashboard.at_risk_now],
        [_("Te laat nu"), dashboard.breached_now],
        [_("Rol zelf gewijzigd met activatiecode"), dashboard.self_service_changes],
    ]
    weeks = [[week.first_day, week.received, week.closed, week.within, week.share_within]
             for week in dashboard.weeks]
    backlog = [[str(STATE_LABELS[state]), count] for state, count in dashboard.backlog_by_state.items()]
    backlog += [[label, count] for label, count in zip(age_band_labels(), dashboard.backlog_by_age)]
    share = _("Binnen termijn (%)")
    return [
        Table(_("Kengetallen"), [_("Kengetal"), _("Waarde")], figures),
        Table(_("Per week"), [_("Week vanaf"), _("Ontvangen"), _("Afgehandeld"),
                              _("Binnen termijn"), share], weeks),
        Table(_("Werkvoorraad"), [_("Status of leeftijd"), _("Aantal")], backlog),
        Table(_("Per medewerker"), [_("Medewerker"), _("Afgehandeld"), _("Binnen termijn"), share,
                                    _("Mediaan afhandeltijd (werkuren)"), _("Open nu"),
                                    _("Te laat nu")],
              [_agent_cells(row) for row in dashboard.agents]),
        Table(_("Per school"), [_("School"), _("Ontvangen"), _("Afgehandeld"), _("Binnen termijn"),
                                share, _("Mediaan afhandeltijd (werkuren)"), _("Open nu"),
                                _("Te laat nu")],
              [_group_cells(row, _("Geen school")) for row in dashboard.schools]),
    ]


def _agent_cells(row: GroupRow) -> list:
    return [row.name or _("Niet toegewezen"), row.closed, row.within, row.share_within,
            row.median_hours, row.open_now, row.breached_now]


def _group_cells(row: GroupRow, unnamed: str) -> list:
    return [row.name or unnamed, row.received, row.closed, row.within, row.share_within,
            row.median_hours, row.open_now, row.breached_now]


def age_band_labels() -> list[str]:
    """Return the labels of the backlog's age bands, e.g. "1 tot 2 werkdagen"."""
    first, *middle = AGE_BAND_DAYS
    labels = [_("minder dan %(days)s werkdag", days=first)]
    for low, high in zip(AGE_BAND_DAYS, middle):
        labels.append(_("%(low)s tot %(high)s werkdagen", low=low, high=high))
    labels.append(_("%(days)s werkdagen of meer", days=AGE_BAND_DAYS[-1]))
    return labels


def ticket_list_table(period: Period, filters: ReportFilters, status: str | None = None,
                      now: datetime | None = None, limit: int | None = None) -> Table:
    """Return the requests received in ``period``, or with ``status`` the open ones with that status now.

    Rows are streamed from one joined query, so a long list never sits in memory as ORM objects.
    ``limit`` caps the number of rows, for showing the list on a page.
    """
    assignee = aliased(Account)
    query = (
        select(Ticket.reference, Ticket.kind, Ticket.state, _role_label(), School.name,
               func.trim(assignee.first_name + " " + assignee.last_name), Ticket.subject,
               Ticket.submitted_at, Ticket.first_response_at, Ticket.due_at, Ticket.closed_at,
               Ticket.first_response_seconds, Ticket.handling_seconds, Ticket.waiting_seconds,
               Ticket.sla_met, Ticket.reopened_count)
        .outerjoin(PlatformRole, PlatformRole.id == Ticket.wanted_role_id)
        .outerjoin(School, School.id == Ticket.school_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(*filters.clauses())
        .order_by(Ticket.submitted_at, Ticket.id)
    )
    if status is None:
        window = period.window(ZoneInfo(current_app.config["TIMEZONE"]))
        query = query.where(window.contains(Ticket.submitted_at))
    else:
        query = query.where(Ticket.state.in_(OPEN_STATES),
                            sla_status.status_filter(status, now or utcnow()))
    if limit is not None:
        query = query.limit(limit)
    headings = [_("Kenmerk"), _("Soort"), _("Status"), _("Gewenste rol"), _("School"),
                _("Behandelaar"), _("Onderwerp"), _("Ingediend op"), _("Eerste reactie op"),
                _("Termijn verloopt op"), _("Afgerond op"), _("Eerste reactie (werkuren)"),
                _("Afhandeltijd (werkuren)"), _("Wachttijd (werkuren)"), _("Binnen termijn"),
                _("Keren heropend")]
    return Table(_("Verzoeken"), headings, _ticket_rows(query))


def _ticket_rows(query) -> Iterator[list]:
    verdicts = {True: _("ja"), False: _("nee"), None: ""}
    for row in db.session.execute(query.execution_options(yield_per=1000)):
        (reference, kind, state, role, school, assignee, subject, *moments,
         first_response, handling, waiting, sla_met, reopened) = row
        yield [reference, str(KIND_LABELS.get(kind, kind)), str(STATE_LABELS.get(state, state)),
               role, school, assignee, subject, *moments,
               *(None if seconds is None else round(seconds / 3600, 2)
                 for seconds in (first_response, handling, waiting)),
               verdicts[sla_met], reopened]


# ---- The writers ----------------------------------------------------------------------------

def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write_csv(tables: list[Table]) -> Iterator[bytes]:
    """Yield the tables as one CSV file, each under its title and after an empty line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    for number, table in enumerate(tables):
        if len(tables) > 1:
            if number:
                writer.writerow([])
            writer.writerow([neutralise(table.title)])
        writer.writerow(table.headings)
        for row in table.rows:
            writer.writerow([_csv_text(value) for value in row])
            if buffer.tell() > 64_000:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, _local(value))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, float):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = DECIMAL_FORMAT
        return cell
    return value


def write_xlsx(tables: list[Table]) -> bytes:
    """Return the tables as an XLSX workbook with one sheet per table."""
    workbook = Workbook(write_only=True)
    for table in tables:
        # Excel allows 31 characters in a sheet name.
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append(table.headings)
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
