"""The admin calendar page: business hours, the SLA target, holidays and closing days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ClosingDay
from app.services import calendar as calendar_service
from tests.factories import make_account, make_agent, make_ticket

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_WEEK = {"monday": "08:30-17:00", "tuesday": "08:30-17:00", "wednesday": "08:30-17:00",
                "thursday": "08:30-17:00", "friday": "08:30-17:00", "saturday": "", "sunday": "",
                "sla_minutes": "510"}


@pytest.fixture
def admin(app, auth):
    account = make_account(email="beheer@roldesk.example", staff=("admin",))
    auth.login("beheer@roldesk.example")
    return account


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


def test_calendar_page__shows_defaults(client, admin):
    page = client.get("/beheer/werkdagen").get_data(as_text=True)

    assert "Openingstijden en afhandeltermijn" in page
    assert 'value="08:30-17:00"' in page
    assert 'value="510"' in page
    assert "Goede vrijdag" in page
    assert "Bevrijdingsdag" in page
    assert "Er zijn geen extra sluitingsdagen." in page


def test_calendar_page__listed_on_admin_index(client, admin):
    assert "Werkdagen" in client.get("/beheer/").get_data(as_text=True)


def test_calendar_page__agent_gets_403(app, client, auth):
    make_agent(email="agent@roldesk.example")
    auth.login("agent@roldesk.example")

    assert client.get("/beheer/werkdagen").status_code == 403
    assert client.post("/beheer/werkdagen/tijden", data=DEFAULT_WEEK).status_code == 403


def test_lunch_break__saved_and_used_for_new_requests(client, admin):
    revision = calendar_service.calendar_settings().revision
    response = client.post("/beheer/werkdagen/tijden", data={
        **DEFAULT_WEEK, "monday": "08:30-12:00, 12:30-17:00", "sla_minutes": "480"})

    assert response.status_code == 302
    assert calendar_service.weekly_hours()[0] == ((time(8, 30), time(12)), (time(12, 30), time(17)))
    assert calendar_service.calendar_settings().revision == revision + 1
    calendar = calendar_service.working_calendar()
    assert calendar.add(local(2025, 3, 10, 11, 30), timedelta(hours=1)) == local(2025, 3, 10, 13)
    ticket = make_ticket()
    assert ticket.sla_minutes == 480
    page = client.get("/beheer/werkdagen").get_data(as_text=True)
    assert 'value="08:30-12:00, 12:30-17:00"' in page


@pytest.mark.parametrize(("monday", "message"), [
    ("8 tot 5", "Schrijf de tijden als 08:30-17:00."),
    ("17:00-08:30", "ligt het einde niet na het begin"),
    ("08:30-12:30, 12:00-17:00", "De blokken overlappen."),
    ("25:00-26:00", "is geen bestaande tijd"),
])
def test_hours__invalid_input_gets_dutch_message(client, admin, monday, message):
    response = client.post("/beheer/werkdagen/tijden", data={**DEFAULT_WEEK, "monday": monday})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{monday}"' in page.replace("&#39;", "'")


def test_hours__a_week_without_hours_is_rejected(client, admin):
    closed_week = {**{day: "" for day in DEFAULT_WEEK}, "sla_minutes": "510"}

    response = client.post("/beheer/werkdagen/tijden", data=closed_week)

    assert response.status_code == 422
    assert "Vul voor minstens één dag openingstijden in" in response.get_data(as_text=True)


@pytest.mark.parametrize(("value", "message"), [
    ("", "Vul de afhandeltermijn in"),
    ("0", "Kies een termijn tussen 1 en"),
    ("99999999", "Kies een termijn tussen 1 en"),
])
def test_sla_target__invalid_input_gets_dutch_message(client, admin, value, message):
    response = client.post("/beheer/werkdagen/tijden", data={**DEFAULT_WEEK, "sla_minutes": value})

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_good_friday__switched_open_counts_as_working_day(client, admin):
    page = client.get("/beheer/werkdagen").get_data(as_text=True)
    names = [name for name in calendar_service.holiday_names(date.today().year)
             if name != "Goede vrijdag"]

    response = client.post("/beheer/werkdagen/feestdagen", data={"closed_holidays": names})

    assert "Goede vrijdag" in page
    assert response.status_code == 302
    calendar = calendar_service.working_calendar()
    assert not calendar.is_closed(date(2026, 4, 3))
    assert calendar.is_closed(date(2026, 4, 6))
    assert calendar_service.open_holiday_names() == {"Goede vrijdag"}


def test_closing_day__added_and_removed(client, admin):
    response = client.post("/beheer/werkdagen/sluitingsdagen",
                           data={"day": "2026-12-24", "description": "Kerstavond"})

    assert response.status_code == 302
    assert calendar_service.working_calendar().is_closed(date(2026, 12, 24))
    page = client.get("/beheer/werkdagen").get_data(as_text=True)
    assert "Kerstavond" in page
    assert "24 december 2026" in page

    closing_day = db.session.scalars(select(ClosingDay)).one()
    client.post(f"/beheer/werkdagen/sluitingsdagen/{closing_day.id}/verwijderen")
    assert not calendar_service.working_calendar().is_closed(date(2026, 12, 24))


def test_closing_day__twice_is_rejected(client, admin):
    client.post("/beheer/werkdagen/sluitingsdagen", data={"day": "2026-12-24"})

    response = client.post("/beheer/werkdagen/sluitingsdagen", data={"day": "2026-12-24"})

    assert response.status_code == 422
    assert "Deze dag staat al in de lijst." in response.get_data(as_text=True)


def test_closing_day__missing_date_gets_dutch_message(client, admin):
    response = client.post("/beheer/werkdagen/sluitingsdagen", data={"day": "", "description": "x"})

    assert response.status_code == 422
    assert "Vul een datum in" in response.get_data(as_text=True)


def test_calendar_change__leaves_stored_due_times_alone(client, admin):
    ticket = make_ticket()
    due = ticket.due_at

    client.post("/beheer/werkdagen/tijden", data={**DEFAULT_WEEK, "sla_minutes": "60"})

    db.session.refresh(ticket)
    assert ticket.due_at == due
    assert make_ticket().sla_minutes == 60
