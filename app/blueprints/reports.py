"""SLA reports for managers: the dashboard and its exports."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_babel import get_locale
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import ValidationError

from app.access import staff_required
from app.extensions import db
from app.formatting import KIND_LABELS
from app.models import STAFF_AGENT, Account, PlatformRole, School, StaffMembership
from app.models.types import utcnow
from app.services.reports import MAX_PERIOD_DAYS, Period, compute_dashboard, default_period
from app.services.reports_chart import trend_chart
from app.services.reports_export import (
    age_band_labels,
    dashboard_tables,
    ticket_list_table,
    write_csv,
    write_xlsx,
)
from app.services.reports_queries import ReportFilters
from app.services.sla_status import SLA_STATUSES

bp = Blueprint("reports", __name__, url_prefix="/rapportage")

# Rows shown on the ticket list page; the export has them all.
LIST_PAGE_ROWS = 200

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _optional_id(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


class OptionalDateField(DateField):
    """A date that may be left empty; anything else than jjjj-mm-dd gets a Dutch message."""

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip()
        if not text:
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-11-02.")) from None


class ReportForm(FlaskForm):
    """The dashboard's period and filters, read from the query string."""

    class Meta:
        csrf = False

    start = OptionalDateField(_l("Van"))
    end = OptionalDateField(_l("Tot en met"))
    kind = SelectField(_l("Soort verzoek"), validate_choice=False)
    role = SelectField(_l("Gewenste rol"), coerce=_optional_id, validate_choice=False)
    school = SelectField(_l("School"), coerce=_optional_id, validate_choice=False)
    agent = SelectField(_l("Helpdeskmedewerker"), coerce=_optional_id, validate_choice=False)

    def fill_choices(self) -> None:
        everything = ("", _l("Alle"))
        self.kind.choices = [everything, *((kind, label) for kind, label in KIND_LABELS.items())]
        label = PlatformRole.label_en if str(get_locale()) == "en" else PlatformRole.label_nl
        roles = db.session.execute(select(PlatformRole.id, label)
                                   .order_by(PlatformRole.position, PlatformRole.id)).all()
        self.role.choices = [everything, *(tuple(row) for row in roles)]
        schools = db.session.execute(select(School.id, School.name).order_by(School.name)).all()
        self.school.choices = [everything, *(tuple(row) for row in schools)]
        agents = db.session.execute(
            select(Account.id, Account.first_name, Account.tussenvoegsel, Account.last_name)
            .join(StaffMembership).where(StaffMembership.kind == STAFF_AGENT)
            .order_by(Account.last_name, Account.first_name)).all()
        self.agent.choices = [everything, *((row.id, " ".join(p for p in row[1:] if p))
                                            for row in agents)]

    def validate_end(self, field):
        start, end = self.start.data, field.data
        if start is None or end is None:
            return
        if end < start:
            raise ValidationError(_l("De einddatum ligt voor de begindatum. Kies een einddatum "
                                     "op of na %(start)s.", start=start.isoformat()))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError(_l("Kies een periode van hoogstens %(days)s dagen.",
                                     days=MAX_PERIOD_DAYS))

    def period(self) -> Period:
        default = default_period(_today())
        return Period(self.start.data or default.first_day, self.end.data or default.last_day)

    def filters(self) -> ReportFilters:
        return ReportFilters(kind=self.kind.data or None, wanted_role_id=self.role.data,
                             school_id=self.school.data, assignee_id=self.agent.data)

    def filter_labels(self) -> dict[str, str]:
        """Return {field label: chosen option} for every filter that is set."""
        labels = {}
        for field in (self.kind, self.role, self.school, self.agent):
            if field.data:
                labels[str(field.label.text)] = str(dict(field.choices).get(field.data, field.data))
        return labels


def _today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _read_form() -> ReportForm:
    form = ReportForm(formdata=request.args)
    form.fill_choices()
    # Empty dates show the default period, so the manager sees which weeks the figures cover.
    default = default_period(_today())
    for field, day in ((form.start, default.first_day), (form.end, default.last_day)):
        if field.data is None and not "".join(field.raw_data or []).strip():
            field.data = day
    return form


@bp.get("/")
@staff_required("manager")
def dashboard():
    form = _read_form()
    if not form.validate():
        return _invalid(form)

    dashboard = compute_dashboard(form.period(), form.filters(), now=utcnow())
    return render_template("reports/dashboard.html", form=form, dashboard=dashboard,
                           chart=trend_chart(dashboard.weeks), age_labels=age_band_labels())


def _invalid(form: ReportForm):
    return render_template("reports/dashboard.html", form=form, dashboard=None), 422


def _download(tables, name: str, file_type: str) -> Response:
    # The CSV is streamed, and its rows are read from the database while it is sent.
    body = stream_with_context(write_csv(tables)) if file_type == "csv" else write_xlsx(tables)
    return Response(body, mimetype=EXPORT_TYPES[file_type], headers={
        "Content-Disposition": f'attachment; filename="{name}.{file_type}"'})


@bp.get("/export.<file_type>")
@staff_required("manager")
def export_figures(file_type: str):
    form = _read_form()
    if file_type not in EXPORT_TYPES:
        abort(404)
    if not form.validate():
        return _invalid(form)

    period = form.period()
    dashboard = compute_dashboard(period, form.filters(), now=utcnow())
    tables = dashboard_tables(dashboard, form.filter_labels())
    return _download(tables, f"rapportage-{period.first_day}-{period.last_day}", file_type)


@bp.get("/verzoeken")
@staff_required("manager")
def ticket_list():
    """Show the requests behind a figure, for managers who have no access to the desk queue."""
    form = _read_form()
    status = request.args.get("sla") or None
    if status not in (None, *SLA_STATUSES):
        abort(404)
    if not form.validate():
        return _invalid(form)

    table = ticket_list_table(form.period(), form.filters(), status=status, now=utcnow(),
                              limit=LIST_PAGE_ROWS + 1)
    rows = list(table.rows)
    return render_template("reports/tickets.html", form=form, table=table, status=status,
                           rows=rows[:LIST_PAGE_ROWS], cut_off=len(rows) > LIST_PAGE_ROWS)


@bp.get("/verzoeken.<file_type>")
@staff_required("manager")
def export_tickets(file_type: str):
    form = _read_form()
    status = request.args.get("sla") or None
    if file_type not in EXPORT_TYPES or status not in (None, *SLA_STATUSES):
        abort(404)
    if not form.validate():
        return _invalid(form)

    period = form.period()
    table = ticket_list_table(period, form.filters(), status=status, now=utcnow())
    name = f"verzoeken-{status}" if status else f"verzoeken-{period.first_day}-{period.last_day}"
    return _download([table], name, file_type)
