"""Build the working-day calendar from the admin's settings, cached per process."""

import threading
from collections import defaultdict
from datetime import date, time

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import BusinessHours, CalendarSettings, ClosingDay, HolidaySetting
from app.models.calendar import DEFAULT_SLA_MINUTES
from workflows.calendar import DEFAULT_HOURS, WorkingCalendar, dutch_holidays

_lock = threading.Lock()
_cache: dict[tuple, WorkingCalendar] = {}


def calendar_settings() -> CalendarSettings:
    """Return the settings row, creating it with the defaults when missing."""
    settings = db.session.get(CalendarSettings, 1)
    if settings is None:
        settings = CalendarSettings(id=1, sla_minutes=DEFAULT_SLA_MINUTES, revision=1)
        db.session.add(settings)
        db.session.flush()
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
