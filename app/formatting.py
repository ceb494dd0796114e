"""Template filters: local times, durations and the Dutch labels of states and kinds."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

STATE_LABELS = {
    "submitted": _l("ingediend"),
    "in_review": _l("in behandeling"),
    "waiting_for_requester": _l("wacht op aanvrager"),
    "approved": _l("goedgekeurd"),
    "applied": _l("doorgevoerd"),
    "rejected": _l("afgewezen"),
    "withdrawn": _l("ingetrokken"),
    "answered": _l("beantwoord"),
}

KIND_LABELS = {
    "role_change": _l("rol omzetten"),
    "account_creation": _l("accounts laten aanmaken"),
    "question": _l("vraag"),
}

TRIGGER_LABELS = {
    "submit": _l("ingediend"),
    "start_review": _l("in behandeling genomen"),
    "ask_requester": _l("vraag gesteld aan aanvrager"),
    "requester_replied": _l("aanvrager heeft geantwoord"),
    "approve": _l("goedgekeurd"),
    "apply": _l("doorgevoerd"),
    "reject": _l("afgewezen"),
    "withdraw": _l("ingetrokken"),
    "answer": _l("beantwoord"),
    "reopen": _l("heropend"),
}


def local_datetime(moment: datetime | None, pattern: str = "EEEE d MMMM HH:mm") -> str:
    """Format a UTC moment in the calendar's time zone, e.g. "dinsdag 10 maart 14:00"."""
    if moment is None:
        return ""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local = moment.astimezone(zone).replace(tzinfo=None)
    return babel_format_datetime(local, pattern, rebase=False)


def business_duration(value: timedelta | int | None) -> str:
    """Format business time as hours and minutes, e.g. "3 u 20 min"; negative means overdue."""
    if value is None:
        return ""
    seconds = int(value.total_seconds()) if isinstance(value, timedelta) else int(value)
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    english = str(get_locale()) == "en"
    text = f"{hours} h {minutes} min" if english else f"{hours} u {minutes} min"
    return text


def external_url(endpoint: str, **values) -> str:
    """Build an absolute link on ROLDESK_BASE_URL, also outside a request (in mails sent by a worker)."""
    adapter = current_app.url_map.bind("roldesk", url_scheme="https")
    return current_app.config["BASE_URL"] + adapter.build(endpoint, values)


def register(app: Flask) -> None:
    app.add_template_global(external_url, "external_url")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(business_duration, "business_duration")
    app.add_template_filter(lambda state: STATE_LABELS.get(state, state), "state_label")
    app.add_template_filter(lambda kind: KIND_LABELS.get(kind, kind), "kind_label")
    app.add_template_filter(lambda trigger: TRIGGER_LABELS.get(trigger, trigger), "trigger_label")
