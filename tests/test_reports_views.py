"""The dashboard page: what a manager reads, bad period input, and who may see it."""

import re

import pytest

from app.blueprints import reports as reports_view
from tests.factories import make_account, make_agent
from tests.reports_seed import NOW, seed_month

MONTH = {"start": "2026-11-02", "end": "2026-11-29"}


@pytest.fixture
def manager(app, auth):
    account = make_account(staff=("manager",), first_name="Mila")
    auth.login(account.email)
    return account


@pytest.fixture
def month(app, monkeypatch):
    monkeypatch.setattr(reports_view, "utcnow", lambda: NOW)
    return seed_month(monkeypatch)


def _figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</(dd|a)>', html, re.S)
    assert match, f"figure {name} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.mark.parametrize("name, shown", [
    ("received", "7"),
    ("closed", "5"),
    ("withdrawn", "1"),
    ("share_within", "80,0% (4 van 5)"),
    ("handling_median_hours", "7,0 uur"),
    ("handling_p90_hours", "10,3 uur"),
    ("first_response_median_hours", "0,75 uur"),
    ("self_service_changes", "1"),
    ("at_risk_now", "1 dreigt te laat te worden"),
    ("breached_now", "1 is te laat"),
])
def test_dashboard__shows_month_figures(client, manager, month, name, shown):
    html = client.get("/rapportage/", query_string=MONTH).get_data(as_text=True)
    assert _figure(html, name) == shown


def test_dashboard__links_agents_to_queue_by_sla_status(client, auth, month):
    account = make_account(staff=("manager", "agent"))
    auth.login(account.email)
    html = client.get("/rapportage/", query_string={**MONTH, "kind": "question"}).get_data(as_text=True)
    assert 'href="/helpdesk/?sla=breached&amp;kind=question"' in html
    assert 'href="/helpdesk/?sla=at_risk&amp;kind=question"' in html


def test_dashboard__links_other_managers_to_report_list(client, manager, month):
    html = client.get("/rapportage/", query_string=MONTH).get_data(as_text=True)
    assert 'href="/rapportage/verzoeken?sla=breached&amp;start=2026-11-02&amp;end=2026-11-29"' in html


def test_ticket_list__shows_breached_requests(client, manager, month):
    response = client.get("/rapportage/verzoeken", query_string={**MONTH, "sla": "breached"})
    html = response.get_data(as_text=True)
    assert "Verzoeken die nu te laat zijn" in html
    assert month["tickets"]["breached"].reference in html
    assert month["tickets"]["at_risk"].reference not in html


def test_dashboard__draws_chart_and_table(client, manager, month):
    html = client.get("/rapportage/", query_string=MONTH).get_data(as_text=True)
    assert html.count('class="bar-received"') == 4 + 1  # four weeks plus the legend
    assert "<polyline" in html
    assert "Hoe wordt dit berekend?" in html
    assert "precies op de termijn" in html


def test_dashboard__filters_by_kind(client, manager, month):
    html = client.get("/rapportage/", query_string={**MONTH, "kind": "question"}).get_data(as_text=True)
    assert _figure(html, "received") == "1"
    assert _figure(html, "handling_median_hours") == "2,0 uur"


def test_dashboard__default_is_last_four_full_weeks(client, manager, monkeypatch):
    monkeypatch.setattr(reports_view, "_today", lambda: NOW.date())
    html = client.get("/rapportage/").get_data(as_text=True)
    assert "2 november 2026 tot en met 29 november 2026" in html
    assert 'value="2026-11-02"' in html
    assert 'value="2026-11-29"' in html


@pytest.mark.parametrize("query, message", [
    ({"start": "2026-11-30", "end": "2026-11-02"}, "De einddatum ligt voor de begindatum"),
    ({"start": "2025-01-01", "end": "2026-11-02"}, "Kies een periode van hoogstens 366 dagen."),
    ({"start": "2 november", "end": "2026-11-02"}, "Vul een datum in als jjjj-mm-dd"),
])
def test_dashboard__bad_period_is_explained(client, manager, query, message):
    response = client.get("/rapportage/", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{query["start"]}"' in html


@pytest.mark.parametrize("path", ["/rapportage/", "/rapportage/export.xlsx", "/rapportage/verzoeken.csv",
                                  "/rapportage/verzoeken"])
def test_reports__agent_without_manager_rights_gets_403(client, auth, path):
    agent = make_agent()
    auth.login(agent.email)
    assert client.get(path).status_code == 403


def test_reports__anonymous_is_sent_to_login(client):
    response = client.get("/rapportage/")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
