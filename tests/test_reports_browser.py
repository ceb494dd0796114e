"""A manager reads the dashboard for a seeded month in Chromium and downloads the figures."""

import io
from pathlib import Path

import openpyxl
import pytest

from app.blueprints import reports as reports_view
from tests.factories import PASSWORD, make_account
from tests.fixtures.browser import on_postgresql
from tests.reports_seed import NOW, seed_month

pytestmark = pytest.mark.browser


def _log_in(page, live_server, email):
    page.goto(f"{live_server}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()


@on_postgresql
def test_manager__reads_month_opens_breached_and_downloads(app, live_server, page, monkeypatch):
    month = seed_month(monkeypatch)
    monkeypatch.setattr(reports_view, "utcnow", lambda: NOW)
    monkeypatch.setattr(reports_view, "_today", lambda: NOW.date())
    manager = make_account(staff=("manager",), first_name="Mila")

    _log_in(page, live_server, manager.email)
    page.get_by_role("heading", name="Rapportage afhandeltermijn").wait_for()
    page.get_by_label("Van", exact=True).fill("2026-11-02")
    page.get_by_label("Tot en met").fill("2026-11-29")
    page.get_by_role("button", name="Toon cijfers").click()
    page.get_by_text("Periode: 2 november 2026 tot en met 29 november 2026").wait_for()

    shown = {name: page.locator(f'[data-figure="{name}"]').inner_text()
             for name in ("received", "closed", "withdrawn", "handling_median_hours")}
    assert shown == {"received": "7", "closed": "5", "withdrawn": "1",
                     "handling_median_hours": "7,0 uur"}
    assert page.locator("svg.trend-chart rect.bar-closed").count() == 4 + 1  # weeks plus legend

    page.get_by_role("link", name="1 is te laat").click()
    page.get_by_role("heading", name="Verzoeken die nu te laat zijn").wait_for()
    rows = page.locator("#tickets tbody tr")
    assert rows.count() == 1
    assert month["tickets"]["breached"].reference in rows.first.inner_text()

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    download = download_info.value
    assert download.suggested_filename == "rapportage-2026-11-02-2026-11-29.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    figures = {row[0]: row[1] for row in workbook["Kengetallen"].iter_rows(min_row=2, values_only=True)}
    assert figures["Ontvangen"] == int(shown["received"])
    assert figures["Afgehandeld"] == int(shown["closed"])
    assert figures["Ingetrokken"] == int(shown["withdrawn"])
    assert figures["Mediaan afhandeltijd (werkuren)"] == 7.0
    assert figures["Te laat nu"] == 1
