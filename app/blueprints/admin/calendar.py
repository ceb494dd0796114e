"""Admin page for the working-day calendar: business hours, SLA target, holidays, closing days.

Every change raises the calendar revision. Due times already stored stay as they
are; the new calendar applies to new requests and to due times computed afterwards
(a resumed clock, a reopened request).
"""

import logging
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.blueprints.admin.calendar_forms import (
    WEEKDAY_FIELDS,
    ClosingDayForm,
    HolidayForm,
    HoursForm,
    format_ranges,
)
from app.extensions import db
from app.models import ClosingDay
from app.services import calendar as calendar_service

logger = logging.getLogger(__name__)


def _holiday_form(formdata=None) -> tuple[HolidayForm, dict]:
    holidays = calendar_service.holiday_names(date.today().year)
    form = HolidayForm(formdata=formdata) if formdata is not None else HolidayForm()
    form.closed_holidays.choices = [(name, name) for name in holidays]
    if formdata is None:
        opened = calendar_service.open_holiday_names()
        form.closed_holidays.data = [name for name in holidays if name not in opened]
    return form, holidays


def _hours_form() -> HoursForm:
    form = HoursForm()
    if not form.is_submitted():
        for name, ranges in zip(WEEKDAY_FIELDS, calendar_service.weekly_hours().values()):
            form[name].data = format_ranges(ranges)
        form.sla_minutes.data = calendar_service.calendar_settings().sla_minutes
    return form


def _page(hours_form=None, holiday_form=None, closing_form=None, status: int = 200):
    holiday_form, holidays = holiday_form or _holiday_form()
    closing_days = db.session.scalars(select(ClosingDay).order_by(ClosingDay.day)).all()
    return render_template(
        "admin/calendar.html", hours_form=hours_form or _hours_form(), holiday_form=holiday_form,
        holidays=holidays, closing_form=closing_form or ClosingDayForm(formdata=None),
        closing_days=closing_days,
    ), status


@bp.get("/werkdagen")
@staff_required("admin")
def calendar():
    return _page()


@bp.post("/werkdagen/tijden")
@staff_required("admin")
def calendar_hours():
    form = _hours_form()
    if not form.validate():
        return _page(hours_form=form, status=422)

    calendar_service.save_weekly_hours(form.hours(), form.sla_minutes.data)
    db.session.commit()
    logger.info("account %s changed the business hours and SLA target", current_user.id)
    flash(_("De openingstijden en de afhandeltermijn zijn opgeslagen. Ze gelden voor nieuwe "
            "verzoeken en voor termijnen die opnieuw worden berekend."), "success")
    return redirect(url_for("admin.calendar"))


@bp.post("/werkdagen/feestdagen")
@staff_required("admin")
def calendar_holidays():
    form, holidays = _holiday_form(request.form)
    if not form.validate():
        return _page(holiday_form=(form, holidays), status=422)

    closed = set(form.closed_holidays.data or [])
    calendar_service.save_open_holidays(set(holidays) - closed, set(holidays))
    db.session.commit()
    logger.info("account %s set the open holidays to %s", current_user.id,
                sorted(set(holidays) - closed))
    flash(_("De feestdagen zijn opgeslagen."), "success")
    return redirect(url_for("admin.calendar"))


@bp.post("/werkdagen/sluitingsdagen")
@staff_required("admin")
def closing_day_add():
    form = ClosingDayForm()
    valid = form.validate()
    if valid and db.session.scalar(select(ClosingDay.id).where(ClosingDay.day == form.day.data)):
        form.day.errors.append(_("Deze dag staat al in de lijst. Kies een andere datum."))
        valid = False
    if not valid:
        return _page(closing_form=form, status=422)

    calendar_service.add_closing_day(form.day.data, (form.description.data or "").strip())
    db.session.commit()
    logger.info("account %s added closing day %s", current_user.id, form.day.data)
    flash(_("De sluitingsdag is toegevoegd."), "success")
    return redirect(url_for("admin.calendar"))


@bp.post("/werkdagen/sluitingsdagen/<int:closing_day_id>/verwijderen")
@staff_required("admin")
def closing_day_remove(closing_day_id: int):
    closing_day = db.session.get(ClosingDay, closing_day_id) or abort(404)

    calendar_service.remove_closing_day(closing_day)
    db.session.commit()
    logger.info("account %s removed closing day %s", current_user.id, closing_day.day)
    flash(_("De sluitingsdag is verwijderd."), "success")
    return redirect(url_for("admin.calendar"))
