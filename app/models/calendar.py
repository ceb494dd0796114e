"""Settings of the working-day calendar, edited by admins."""

from datetime import date, time

from sqlalchemy import Date, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

DEFAULT_SLA_MINUTES = 510  # one working day of 08:30 to 17:00


class BusinessHours(db.Model):
    """One open range on a weekday (0 is Monday); several rows a day allow a lunch break."""

    __tablename__ = "business_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int] = mapped_column()
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)


class ClosingDay(db.Model):
    """A day the helpdesk is closed beyond the public holidays."""

    __tablename__ = "closing_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")


class HolidaySetting(db.Model):
    """Whether a Dutch public holiday, by its name in the ``holidays`` package, closes the helpdesk."""

    __tablename__ = "holiday_setting"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    closed: Mapped[bool] = mapped_column(default=True)


class CalendarSettings(db.Model):
    """The single row of calendar-wide settings."""

    __tablename__ = "calendar_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_minutes: Mapped[int] = mapped_column(default=DEFAULT_SLA_MINUTES)
    # Raised on every calendar change so each process rebuilds its cached calendar.
    revision: Mapped[int] = mapped_column(default=1)
