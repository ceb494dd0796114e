"""List requests through the pages: upload, map columns, review, fix or drop lines, submit."""

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ListDraft, RequestLine, Ticket
from app.services.accounts import role_by_code
from tests.factories import make_account

TEACHER = "teacher"


@pytest.fixture
def contact(app, auth):
    account = make_account(email="contact@roc.example")
    auth.login("contact@roc.example")
    return account


def _upload(client, data: bytes, filename="lijst.csv", kind="role_change", role=TEACHER, **extra):
    form = {"kind": kind, "wanted_role_id": str(role_by_code(role).id),
            "upload": (io.BytesIO(data), filename), "motivation": "Nieuwe docenten", **extra}
    return client.post("/verzoek/lijst/", data=form, content_type="multipart/form-data",
                       follow_redirects=True)


def _paste(client, text: str, kind="role_change", role=TEACHER):
    return client.post("/verzoek/lijst/", data={"kind": kind, "wanted_role_id": str(role_by_code(role).id),
                                                "pasted": text}, follow_redirects=True)


def _tickets():
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_review__shows_each_verdict(app, client, contact):
    make_account(email="ready@roc.example")
    make_account(email="entree@roc.example", origin="entree")
    make_account(email="docent@roc.example", role=TEACHER)
    text = ("E-mailadres\nready@roc.example\nonbekend@roc.example\nentree@roc.example\n"
            "docent@roc.example\nREADY@roc.example\ngeen-adres\n")

    page = _upload(client, text.encode("cp1252")).get_data(as_text=True)

    for label in ("klaar", "onbekend account", "Entree-account", "heeft deze rol al",
                  "dubbele regel", "ongeldig e-mailadres"):
        assert label in page, label
    assert "5 regels zijn nog niet in orde" in page


def test_submit__with_lines_not_ready_is_refused(app, client, contact):
    _paste(client, "onbekend@roc.example")

    page = client.post("/verzoek/lijst/indienen", follow_redirects=True).get_data(as_text=True)

    assert "1 regel is nog niet in orde" in page
    assert _tickets() == 0
    assert db.session.scalar(select(func.count()).select_from(ListDraft)) == 1


def test_submit__fixed_line_becomes_one_ticket(app, client, contact):
    first = make_account(email="a@roc.example")
    second = make_account(email="b@roc.example")
    _upload(client, b"E-mailadres;Gewenste rol\r\na@roc.example;\r\nb@roc.exmple;\r\n;\r\n")

    client.post("/verzoek/lijst/regel/1", data={"email": "b@roc.example", "role": "",
                                                "action": "save"})
    page = client.post("/verzoek/lijst/indienen", follow_redirects=True).get_data(as_text=True)

    ticket = db.session.scalars(select(Ticket)).one()
    assert f"Je verzoek {ticket.reference} is ingediend" in page
    assert ticket.kind == "role_change"
    assert ticket.wanted_role.code == TEACHER
    assert ticket.due_at is not None
    assert [line.account_id for line in ticket.lines] == [first.id, second.id]
    assert db.session.scalar(select(func.count()).select_from(ListDraft)) == 0


def test_drop_line__removes_it(app, client, contact):
    make_account(email="a@roc.example")
    _paste(client, "a@roc.example\nonbekend@roc.example")

    page = client.post("/verzoek/lijst/regel/1", data={"action": "drop"},
                       follow_redirects=True).get_data(as_text=True)

    assert "onbekend@roc.example" not in page
    assert "Alle regels zijn in orde." in page


def test_drop_not_ready__keeps_ready_lines(app, client, contact):
    make_account(email="a@roc.example")
    _paste(client, "a@roc.example\nonbekend@roc.example\nfout")

    page = client.post("/verzoek/lijst/opschonen", follow_redirects=True).get_data(as_text=True)

    assert "2 regels die niet in orde waren zijn verwijderd" in page
    assert "a@roc.example" in page


def test_role_column__overrides_per_line(app, client, contact):
    make_account(email="a@roc.example")
    make_account(email="b@roc.example")
    _upload(client, b"email;role\na@roc.example;Docent\nb@roc.example;Lid examencommissie\n",
            role="workplace_trainer")

    client.post("/verzoek/lijst/indienen")

    ticket = db.session.scalars(select(Ticket)).one()
    assert [line.wanted_role.code for line in ticket.lines] == ["teacher", "exam_committee"]
    assert ticket.wanted_role.code == "exam_committee"


def test_role_column__unknown_role_is_a_verdict(app, client, contact):
    make_account(email="a@roc.example")

    page = _upload(client, b"email;role\na@roc.example;Directeur\n").get_data(as_text=True)

    assert "onbekende rol" in page
    assert "Directeur" in page


def test_hyperlink_value__shown_as_plain_text(app, client, contact):
    # Excel quotes a cell that contains the delimiter and doubles the quotes inside it.
    data = b'E-mailadres\n"=HYPERLINK(""http://evil.example"";""klik"")"\n'

    page = _upload(client, data).get_data(as_text=True)

    assert "=HYPERLINK(&#34;http://evil.example&#34;;&#34;klik&#34;)" in page
    assert '<a href="http://evil.example"' not in page


def test_hyperlink_name__stored_as_plain_text(app, client, contact):
    school = contact.school
    data = ('Voornaam;Achternaam;E-mailadres;School\n'
            '=HYPERLINK("x");Smit;p@roc.example;ROC Test\n').encode()
    from tests.factories import make_school

    make_school(name="ROC Test")
    _upload(client, data, kind="account_creation")
    client.post("/verzoek/lijst/indienen")

    line = db.session.scalars(select(RequestLine)).one()
    assert line.first_name == '=HYPERLINK("x")'
    assert school is None


@pytest.mark.parametrize("filename, data, expected", [
    ("lijst.csv", b"", "Het bestand is leeg"),
    ("lijst.docx", b"PK\x03\x04whatever", "Dit bestandstype kan niet worden gelezen"),
    ("lijst.csv", b"\x00\x01\x02\xff\xfe" * 200, "Het bestand is geen leesbare lijst"),
])
def test_upload__bad_file_shows_message_and_keeps_input(app, client, contact, filename, data, expected):
    response = _upload(client, data, filename=filename)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert expected in page
    assert "Nieuwe docenten" in page
    assert db.session.scalar(select(func.count()).select_from(ListDraft)) == 0


def test_upload__10000_lines_refused_and_nothing_stored(app, client, contact):
    data = "E-mailadres\n" + "".join(f"p{number}@roc.example\n" for number in range(10_000))

    response = _upload(client, data.encode())

    assert response.status_code == 422
    assert "maximaal 1.000 regels" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ListDraft)) == 0
    assert _tickets() == 0


def test_upload__without_file_or_paste_is_refused(app, client, contact):
    response = client.post("/verzoek/lijst/", data={"kind": "role_change",
                                                    "wanted_role_id": str(role_by_code(TEACHER).id)})

    assert response.status_code == 422
    assert "Kies een bestand of plak de regels" in response.get_data(as_text=True)


def test_mapping__no_headings_asks_for_columns(app, client, contact):
    make_account(email="a@roc.example")

    page = _upload(client, b"Jansen;a@roc.example\n").get_data(as_text=True)

    assert "Kolommen kiezen" in page
    assert "Kolom 2: a@roc.example" in page


def test_mapping__chosen_columns_make_lines(app, client, contact):
    make_account(email="a@roc.example")
    _upload(client, b"Jansen;a@roc.example\n")

    page = client.post("/verzoek/lijst/kolommen", data={"column_email": "1", "column_role": "-1"},
                       follow_redirects=True).get_data(as_text=True)

    assert "Alle regels zijn in orde." in page


@pytest.mark.parametrize("kind, data, expected", [
    ("role_change", b"Voornaam;Achternaam\nAnouk;Smit\n",
     ["De kolom ‘E-mailadres’ ontbreekt"]),
    ("account_creation", b"E-mailadres;School\na@roc.example;ROC\n",
     ["De kolom ‘Voornaam’ ontbreekt", "De kolom ‘Achternaam’ ontbreekt"]),
])
def test_mapping__missing_columns_each_named(app, client, contact, kind, data, expected):
    page = _upload(client, data, kind=kind).get_data(as_text=True)

    for message in expected:
        assert message in page


def test_mapping__missing_column_refused_on_submit(app, client, contact):
    _upload(client, b"Voornaam;Achternaam\nAnouk;Smit\n")

    page = client.post("/verzoek/lijst/kolommen", data={"column_email": "-1"},
                       follow_redirects=True).get_data(as_text=True)

    assert "De kolom ‘E-mailadres’ ontbreekt" in page
    assert db.session.scalars(select(ListDraft)).one().raw_rows is not None


def test_discard__removes_draft(app, client, contact):
    _paste(client, "a@roc.example")

    client.post("/verzoek/lijst/weggooien")

    assert db.session.scalar(select(func.count()).select_from(ListDraft)) == 0


def test_review__without_draft_goes_to_new(app, client, contact):
    response = client.get("/verzoek/lijst/controleren")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verzoek/lijst/")


def test_request_page__shows_each_line_outcome(app, client, contact):
    make_account(email="a@roc.example")
    make_account(email="b@roc.example")
    _paste(client, "a@roc.example\nb@roc.example")
    client.post("/verzoek/lijst/indienen")
    ticket = db.session.scalars(select(Ticket)).one()
    ticket.lines[1].state = "rejected"
    ticket.lines[1].outcome = "Geen docent van deze school"
    db.session.commit()

    page = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)

    assert "a@roc.example" in page
    assert "afgewezen" in page
    assert "Geen docent van deze school" in page


def test_upload__xlsx_workbook(app, client, contact):
    from openpyxl import Workbook

    make_account(email="a@roc.example")
    workbook = Workbook()
    workbook.active.append(["Gewenste rol", "E-mailadres"])
    workbook.active.append(["Docent", "a@roc.example"])
    workbook.active.append([None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    page = _upload(client, buffer.getvalue(), filename="lijst.xlsx").get_data(as_text=True)

    assert "Alle regels zijn in orde." in page
    assert "a@roc.example" in page


def test_upload__1000_lines_reviewed(app, client, contact):
    data = "E-mailadres\n" + "".join(f"p{number}@roc.example\n" for number in range(1000))

    page = _upload(client, data.encode()).get_data(as_text=True)

    assert "1000 regels zijn nog niet in orde" in page
    assert 'id="regel-1000"' in page
