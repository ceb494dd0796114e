"""Column types shared by the models."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A moment stored as naive UTC and returned as an aware UTC datetime.

    SQLite has no time-zone type, so both databases store naive UTC and the
    application never sees a naive value.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got naive {value!r}")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


# A fixed "now" for code that writes history with past moments, such as the demo data.
_fixed_now: ContextVar[datetime | None] = ContextVar("roldesk_fixed_now", default=None)


def utcnow() -> datetime:
    """Return the current moment in UTC, or the moment set by ``clock_set_to``."""
    return _fixed_now.get() or datetime.now(timezone.utc)


@contextmanager
def clock_set_to(moment: datetime) -> Iterator[None]:
    """Make ``utcnow`` return ``moment`` (an aware datetime) inside the block."""
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got naive {moment!r}")
    token = _fixed_now.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _fixed_now.reset(token)
