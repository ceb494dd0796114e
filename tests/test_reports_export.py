"""Exports of the dashboard: figures and ticket lists read back as CSV and XLSX."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from app.blueprints import reports as reports_view
from app.extensions import db
from app.services.reports_export import neutralise
from tests.factories import make_account, make_school, make_ticket
from tests.reports_seed import NOW, seed_month

MONTH = {"start": "2026-11-02", "end": "2026-11-29"}
INJECTIONS = ['=HYPERLINK("http://127.0.0.1/x","klik")', "+SUM(A1:A2)", "-2+3", "@SUM(A1)",
              "\tverborgen", "\rregel"]


@pytest.fixture
def manager(app, auth):
    account = make_account(staff=("manager",))
    auth.login(account.email)
    return account


@pytest.fixture
def month(app, monkeypatch):
    monkeypatch.setattr(reports_view, "utcnow", lambda: NOW)
    return seed_month(monkeypatch)


def _workbook(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def _csv_sections(response) -> dict[str, list[list[str]]]:
    """Split a multi-table CSV export into {title: rows including the heading row}."""
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    sections, title = {}, None
    for row in rows:
        if not row:
            title = None
        elif title is None:
            title = row[0]
            sections[title] = []
        else:
            sections[title].append(row)
    return sections


def test_figures_xlsx__round_trips_the_month(client, manager, month):
    workbook = _workbook(client.get("/rapportage/export.xlsx", query_string=MONTH))
    figures = {row[0]: row[1] for row in workbook["Kengetallen"].iter_rows(min_row=2, values_only=True)}
    assert figures["Periode van"] == datetime(2026, 11, 2)
    assert figures["Ontvangen"] == 7
    assert figures["Afgehandeld"] == 5
    assert figures["Ingetrokken"] == 1
    assert figures["Binnen één werkdag (%)"] == 80.0
    assert figures["Mediaan afhandeltijd (werkuren)"] == 7.0
    assert figures["90e percentiel afhandeltijd (werkuren)"] == 10.3
    assert figures["Mediaan tijd tot eerste reactie (werkuren)"] == 0.75
    assert figures["Te laat nu"] == 1
    assert figures["Dreigt te laat nu"] == 1
    assert figures["Rol zelf gewijzigd met activatiecode"] == 1


def test_figures_xlsx__weeks_agents_and_schools(client, manager, month):
    workbook = _workbook(client.get("/rapportage/export.xlsx", query_string=MONTH))
    weeks = list(workbook["Per week"].iter_rows(min_row=2, values_only=True))
    assert weeks[2] == (datetime(2026, 11, 16), 2, 2, 1, 50.0)
    agents = {row[0]: row[1:] for row in workbook["Per medewerker"].iter_rows(min_row=2, values_only=True)}
    assert agents["Bert Bakker"] == (2, 1, 50.0, 6.75, 0, 0)
    assert agents["Niet toegewezen"] == (0, 0, None, None, 2, 0)
    schools = {row[0]: row[1:] for row in workbook["Per school"].iter_rows(min_row=2, values_only=True)}
    assert schools["ROC Amstelland"] == (6, 4, 3, 75.0, 7.75, 4, 1)


def test_figures_csv__round_trips_the_month(client, manager, month):
    response = client.get("/rapportage/export.csv", query_string=MONTH)
    assert response.mimetype == "text/csv"
    sections = _csv_sections(response)
    figures = dict(sections["Kengetallen"][1:])
    assert sections["Kengetallen"][0] == ["Kengetal", "Waarde"]
    assert figures["Periode van"] == "2026-11-02"
    assert figures["Ontvangen"] == "7"
    assert figures["Binnen één werkdag (%)"] == "80"
    assert figures["90e percentiel afhandeltijd (werkuren)"] == "10,3"
    assert figures["Mediaan tijd tot eerste reactie (werkuren)"] == "0,75"
    assert sections["Per week"][3] == ["2026-11-16", "2", "2", "1", "50"]


def test_ticket_list_xlsx__keeps_numbers_and_dates(client, manager, month):
    workbook = _workbook(client.get("/rapportage/verzoeken.xlsx", query_string=MONTH))
    sheet = workbook["Verzoeken"]
    headings = [cell.value for cell in sheet[1]]
    rows = [dict(zip(headings, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 7
    paused = rows[0]
    assert paused["Status"] == "doorgevoerd"
    assert paused["Ingediend op"] == datetime(2026, 11, 6, 10, 0)
    assert paused["Afhandeltijd (werkuren)"] == 7.0
    assert paused["Wachttijd (werkuren)"] == 3.5
    assert paused["Binnen termijn"] == "ja"
    reopened = next(row for row in rows if row["Keren heropend"] == 1)
    assert reopened["Afhandeltijd (werkuren)"] == 4.5


def test_ticket_list_csv__breached_now_only(client, manager, month):
    response = client.get("/rapportage/verzoeken.csv", query_string={**MONTH, "sla": "breached"})
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][0] == month["tickets"]["breached"].reference
    assert rows[1][2] == "in behandeling"


@pytest.mark.parametrize("text", INJECTIONS)
def test_neutralise__prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["ROC Amstelland", "2026", "Docent"])
def test_neutralise__leaves_plain_text(text):
    assert neutralise(text) == text


def _seed_injections(monkeypatch):
    monkeypatch.setattr(reports_view, "utcnow", lambda: NOW)
    school = make_school(name=INJECTIONS[0])
    for text in INJECTIONS:
        requester = make_account(school_id=school.id, password_hash=None)
        ticket = make_ticket(requester)
        # Test set-up only: intake strips leading tabs, so the subject is stored as is here,
        # and the request is dated inside the exported month.
        ticket.subject = text
        ticket.submitted_at = datetime(2026, 11, 10, 9, tzinfo=NOW.tzinfo)
    db.session.commit()


def test_ticket_list_xlsx__neutralises_injections(client, manager, monkeypatch):
    _seed_injections(monkeypatch)
    workbook = _workbook(client.get("/rapportage/verzoeken.xlsx", query_string=MONTH))
    sheet = workbook["Verzoeken"]
    headings = [cell.value for cell in sheet[1]]
    subject_column = headings.index("Onderwerp")
    school_column = headings.index("School")
    cells = [row for row in sheet.iter_rows(min_row=2)]
    # XML parsers read a stored carriage return back as a line feed.
    expected = sorted("'" + text.replace("\r", "\n") for text in INJECTIONS)
    assert sorted(row[subject_column].value for row in cells) == expected
    assert all(row[school_column].value == "'" + INJECTIONS[0] for row in cells)
    assert all(row[subject_column].data_type == "s" for row in cells)


def test_ticket_list_csv__neutralises_injections(client, manager, monkeypatch):
    _seed_injections(monkeypatch)
    response = client.get("/rapportage/verzoeken.csv", query_string=MONTH)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    headings = rows[0]
    subjects = sorted(row[headings.index("Onderwerp")] for row in rows[1:])
    assert subjects == sorted("'" + t for t in INJECTIONS)


def test_figures_xlsx__neutralises_school_names(client, manager, monkeypatch):
    _seed_injections(monkeypatch)
    workbook = _workbook(client.get("/rapportage/export.xlsx", query_string=MONTH))
    names = [row[0].value for row in workbook["Per school"].iter_rows(min_row=2)]
    assert names == ["'" + INJECTIONS[0]]


def test_export__unknown_file_type_is_not_found(client, manager):
    assert client.get("/rapportage/export.pdf").status_code == 404


def test_export__bad_period_is_explained(client, manager):
    response = client.get("/rapportage/export.csv", query_string={"start": "morgen"})
    assert response.status_code == 422
    assert "Vul een datum in als jjjj-mm-dd" in response.get_data(as_text=True)


def test_periode_dates_are_dates(client, manager, month):
    workbook = _workbook(client.get("/rapportage/export.xlsx", query_string=MONTH))
    cell = workbook["Kengetallen"]["B2"]
    assert cell.is_date
    assert cell.value.date() == date(2026, 11, 2)
