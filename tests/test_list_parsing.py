"""Reading lists as schools make them: Dutch Excel CSV, XLSX, pasted lines, and bad files."""

import io

import pytest
from openpyxl import Workbook

from app.services.list_parsing import (
    ListUnreadable,
    guess_columns,
    lines_from_table,
    read_text,
    read_upload,
)

DUTCH_EXCEL = ("E-mailadres;Voornaam;Tussenvoegsel;Achternaam;School;Gewenste rol\r\n"
               "jos.debruijn@roc.example;José;de;Bruïn;ROC Test;Praktijkopleider / werkbegeleider\r\n"
               "anouk@roc.example;Anouk;;Smit;ROC Test;\r\n"
               ";;;;;\r\n;;;;;\r\n")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding, prefix", [
    ("cp1252", b""),
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
])
def test_read_upload__dutch_excel_csv(encoding, prefix):
    table = read_upload("lijst.csv", prefix + DUTCH_EXCEL.encode(encoding))

    lines = lines_from_table(table, table.columns)

    assert len(lines) == 2
    assert lines[0]["email"] == "jos.debruijn@roc.example"
    assert lines[0]["first_name"] == "José"
    assert lines[0]["last_name"] == "Bruïn"
    assert lines[0]["tussenvoegsel"] == "de"
    assert lines[1]["role"] == ""


def test_read_upload__english_headings_any_order():
    data = b"role,last name,email,first name\nteacher,Smit,a@roc.example,Anouk\n"

    table = read_upload("list.csv", data)

    assert table.columns == {"role": 0, "last_name": 1, "email": 2, "first_name": 3}
    assert lines_from_table(table, table.columns)[0]["first_name"] == "Anouk"


def test_read_upload__xlsx_keeps_formula_as_text():
    data = _xlsx([["E-mailadres", "Voornaam"],
                  ["a@roc.example", '=HYPERLINK("http://x.example";"klik")'], [None, None]])

    table = read_upload("lijst.xlsx", data)

    lines = lines_from_table(table, table.columns)
    assert len(lines) == 1
    assert lines[0]["first_name"] == '=HYPERLINK("http://x.example";"klik")'


def test_read_upload__csv_formula_is_plain_text():
    table = read_upload("lijst.csv", b'E-mailadres;Voornaam\na@roc.example;=HYPERLINK("x")\n')

    assert lines_from_table(table, table.columns)[0]["first_name"] == '=HYPERLINK("x")'


def test_read_upload__no_headings_guesses_email_column():
    table = read_upload("lijst.csv", b"Anouk;anouk@roc.example\nPiet;piet@roc.example\n")

    assert not table.has_headings
    assert guess_columns(table) == {"email": 1}
    assert len(table.rows) == 2


@pytest.mark.parametrize("filename, data, expected", [
    ("lijst.csv", b"", "Het bestand is leeg"),
    ("lijst.csv", b"\r\n;;;\r\n\r\n", "Het bestand is leeg"),
    ("lijst.pdf", b"%PDF-1.4 ...", "Dit bestandstype kan niet worden gelezen"),
    ("lijst.csv", bytes(range(256)) * 8, "geen leesbare lijst"),
    ("lijst.csv", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 50, "geen leesbare lijst"),
    ("lijst.xlsx", b"this is not a workbook", "geen leesbare lijst"),
    ("lijst.csv", b"PK\x03\x04 broken zip", "geen leesbare lijst"),
])
def test_read_upload__bad_files_are_refused(filename, data, expected):
    with pytest.raises(ListUnreadable) as raised:
        read_upload(filename, data)

    assert expected in str(raised.value.message)


def test_read_upload__10000_lines_names_the_limit():
    data = "E-mailadres\n" + "".join(f"p{number}@roc.example\n" for number in range(10_000))

    with pytest.raises(ListUnreadable) as raised:
        read_upload("lijst.csv", data.encode())

    assert "maximaal 1.000 regels" in str(raised.value.message)


def test_read_upload__1000_lines_are_accepted():
    data = "E-mailadres\n" + "".join(f"p{number}@roc.example\n" for number in range(1000))

    assert len(read_upload("lijst.csv", data.encode()).rows) == 1000


def test_read_text__pasted_addresses():
    table = read_text("a@roc.example\nb@roc.example\n\n")

    assert table.rows == [["a@roc.example"], ["b@roc.example"]]


def test_read_text__empty_paste_is_refused():
    with pytest.raises(ListUnreadable) as raised:
        read_text("  \n ")

    assert "De lijst is leeg" in str(raised.value.message)
