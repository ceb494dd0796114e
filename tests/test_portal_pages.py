"""Every auth and portal page: English on request, labelled fields, one title and one heading."""

import re
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_school, make_ticket

ANONYMOUS_PAGES = [
    "/inloggen",
    "/account-aanmaken/e-mailadres",
    "/account-aanmaken/voornaam",
    "/account-aanmaken/achternaam",
    "/account-aanmaken/wachtwoord",
    "/account-aanmaken/verstuurd",
    "/account-bevestigen/ongeldig",
]
ACCOUNT_PAGES = [
    "/welkom",
    "/school",
    "/profiel/aanvullen",
    "/profiel",
    "/verzoek",
    "/verzoeken",
    "/verzoeken/{ticket}",
    "/verzoeken/{ticket}/ontvangen",
]


class PageFacts(HTMLParser):
    """Collect the facts the checks below need: lang, title, headings and form controls."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.title = ""
        self.h1_count = 0
        self.controls = []
        self.label_targets = set()
        self._label_depth = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.h1_count += 1
        elif tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_targets.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append((attrs.get("id"), attrs.get("name"), self._label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self._label_depth -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def facts(html: str) -> PageFacts:
    parser = PageFacts()
    parser.feed(html)
    return parser


@pytest.fixture
def waiting_ticket(app):
    school = make_school()
    account = make_account(email="jan@school.example", school_id=school.id)
    ticket = make_ticket(account)
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    fire_trigger(ticket, "ask_requester", agent, "Welke school?")
    return ticket


def fill_signup_draft(client):
    client.post("/account-aanmaken/e-mailadres", data={"email": "nieuw@school.example"})
    client.post("/account-aanmaken/voornaam", data={"first_name": "Nieuw"})
    client.post("/account-aanmaken/achternaam", data={"last_name": "Persoon"})
    with client.session_transaction() as session:
        session["signup_sent_to"] = "nieuw@school.example"


def pages_for(client, auth, ticket, language):
    """Yield (path, response) for every page, anonymous first, in ``language``."""
    fill_signup_draft(client)
    for path in ANONYMOUS_PAGES:
        yield path, client.get(f"{path}?lang={language}")
    ticket.requester.language = language
    db.session.commit()
    auth.login("jan@school.example")
    for path in ACCOUNT_PAGES:
        yield path, client.get(path.format(ticket=ticket.id))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page__renders_in_language(app, client, auth, waiting_ticket, language):
    for path, response in pages_for(client, auth, waiting_ticket, language):
        assert response.status_code in (200, 400), f"{path} answered {response.status_code}"
        assert facts(response.get_data(as_text=True)).lang == language, path


def test_every_page__fields_labelled_title_and_one_heading(app, client, auth, waiting_ticket):
    for path, response in pages_for(client, auth, waiting_ticket, "nl"):
        page = facts(response.get_data(as_text=True))

        assert page.title.strip().endswith("· Roldesk"), path
        assert page.title.strip() != "· Roldesk", path
        assert page.h1_count == 1, path
        for control_id, name, wrapped in page.controls:
            assert wrapped or control_id in page.label_targets, f"{path}: field {name} has no label"


def test_error_summary__links_each_error_to_its_field(app, client):
    page = client.post("/account-aanmaken/e-mailadres", data={"email": ""}).get_data(as_text=True)

    assert 'class="error-summary" role="alert"' in page
    assert '<a href="#email">Vul je e-mailadres in.</a>' in page
    assert re.search(r'id="email"[^>]*aria-describedby="email-hint email-error"|'
                     r'aria-describedby="email-hint email-error"[^>]*id="email"', page)
    assert 'id="email-error" role="alert"' in page
