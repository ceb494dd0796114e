"""Build the working-day calendar from the admin's settings, cached per process."""

import threading
from collections import defaultdict
from datetime import date, time

import holidays
from flask import current_app
from sqlalchemy import delete, select

from app.extensions import db
from app.models import BusinessHours, CalendarSettings, ClosingDay, HolidaySetting
from app.models.calendar import DEFAULT_SLA_MINUTES
from workflows.calendar import DEFAULT_HOURS, WorkingCalendar, dutch_holidays

_lock = threading.Lock()
_cache: dict[tuple, WorkingCalendar] = {}


def calendar_settings() -> CalendarSettings:
    """Return the settings row, creating it with the defaults when missing.

    The session keeps a strong reference to the row, so a page that reads it
    once per ticket sends one SELECT per transaction instead of one per call.
    """
    settings = db.session.info.get("calendar_settings")
    if settings is not None and settings in db.session:
        return settings
    settings = db.session.get(CalendarSettings, 1)
    if settings is None:
        settings = CalendarSettings(id=1, sla_minutes=DEFAULT_SLA_MINUTES, revision=1)
        db.session.add(settings)
        db.session.flush()
    db.session.info["calendar_settings"] = settings
    return settings


def _build(timezone: str) -> WorkingCalendar:
    hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
    rows = db.session.scalars(select(BusinessHours)).all()
    for row in rows:
        hours[row.weekday].append((row.opens, row.closes))
    closing_days: set[date] = set(db.session.scalars(select(ClosingDay.day)))
    open_holidays = frozenset(
        db.session.scalars(select(HolidaySetting.name).where(HolidaySetting.closed.is_(False)))
    )
    is_holiday = dutch_holidays(open_holidays)

    def is_closed(day: date) -> bool:
        return day in closing_days or is_holiday(day)

    return WorkingCalendar(
        hours={day: tuple(ranges) for day, ranges in hours.items()} if rows else DEFAULT_HOURS,
        is_closed=is_closed,
        timezone=timezone,
    )


def working_calendar() -> WorkingCalendar:
    """Return the calendar for the current settings revision."""
    settings = calendar_settings()
    key = (settings.revision, current_app.config["TIMEZONE"],
           current_app.config["SQLALCHEMY_DATABASE_URI"])
    calendar = _cache.get(key)
    if calendar is None:
        with _lock:
            calendar = _build(current_app.config["TIMEZONE"])
            _cache.clear()
            _cache[key] = calendar
    return calendar


def bump_revision() -> None:
    """Mark the calendar changed so every process rebuilds it on its next use."""
    settings = calendar_settings()
    settings.revision += 1


def weekly_hours() -> dict[int, tuple[tuple[time, time], ...]]:
    """Return the open ranges per weekday (0 is Monday) as the admin set them, or the defaults."""
    rows = db.session.scalars(select(BusinessHours).order_by(BusinessHours.opens)).all()
    if not rows:
        return {day: DEFAULT_HOURS.get(day, ()) for day in range(7)}
    hours: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for row in rows:
        hours[row.weekday].append((row.opens, row.closes))
    return {day: tuple(hours.get(day, ())) for day in range(7)}


def save_weekly_hours(hours: dict[int, list[tuple[time, time]]], sla_minutes: int) -> None:
    """Replace the business hours and the SLA target; the caller commits."""
    db.session.execute(delete(BusinessHours))
    for weekday, ranges in hours.items():
        for opens, closes in ranges:
            db.session.add(BusinessHours(weekday=weekday, opens=opens, closes=closes))
    calendar_settings().sla_minutes = sla_minutes
    bump_revision()


def holiday_names(first_year: int, years: int = 6) -> dict[str, list[date]]:
    """Return each Dutch public holiday's name with its dates in ``years`` years from ``first_year``.

    Several years, because the ``holidays`` package lists Bevrijdingsdag only once
    every five years, as most collective agreements do.
    """
    days: dict[str, list[date]] = defaultdict(list)
    listed = holidays.country_holidays("NL", years=range(first_year, first_year + years),
                                       language="nl")
    for day, name in sorted(listed.items()):
        days[name].append(day)
    return dict(days)


def open_holiday_names() -> set[str]:
    """Return the names of the public holidays on which the helpdesk is open."""
    return set(db.session.scalars(select(HolidaySetting.name).where(HolidaySetting.closed.is_(False))))


def save_open_holidays(names: set[str], known: set[str]) -> None:
    """Mark the holidays in ``names`` open and the other ``known`` ones closed; the caller commits."""
    settings = {row.name: row for row in db.session.scalars(select(HolidaySetting))}
    for name in known:
        row = settings.get(name) or HolidaySetting(name=name)
        row.closed = name not in names
        db.session.add(row)
    bump_revision()


def add_closing_day(day: date, description: str) -> ClosingDay:
    """Add an extra closing day; the caller commits."""
    closing_day = ClosingDay(day=day, description=description)
    db.session.add(closing_day)
    bump_revision()
    return closing_day


def remove_closing_day(closing_day: ClosingDay) -> None:
    """Remove an extra closing day; the caller commits."""
    db.session.delete(closing_day)
    bump_revision()
