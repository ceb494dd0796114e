"""The English catalogue: complete for every Dutch source string, and used by pages and mails.

The Dutch text is the gettext msgid, so a string added without an English msgstr
shows up in Dutch for English users. The catalogue checks below name each such
string. The fix is `make translations-update`, then translating the new entries in
translations/en/LC_MESSAGES/messages.po.
"""

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app import PROJECT_ROOT
from app.extensions import db
from app.services.outbox import Recipient, queue_mail
from tests.factories import make_account, make_ticket
from tests.fixtures.catalogue import EN_PO

# The same keywords as `pybabel extract -k _l` in the Makefile: gettext's defaults plus _l.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
HTML_TAG = re.compile(r"<[^>]+>")
FIX_HINT = ("Run `make translations-update` and fill in the English msgstr of each "
            "entry in translations/en/LC_MESSAGES/messages.po:")


def extract_source_messages() -> set[str | tuple[str, ...]]:
    """Extract the msgids of the source files that babel.cfg maps, as `make translations-update` does."""
    with (PROJECT_ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS)
    return {message for _filename, _line, message, _comments, _context in found}


def read_catalogue():
    with EN_PO.open("rb") as po_file:
        return read_po(po_file)


def _is_translated(entry) -> bool:
    if isinstance(entry.string, tuple):
        return all(entry.string)
    return bool(entry.string)


def _forms(entry) -> list[tuple[str, str]]:
    """Pair each msgid form with the msgstr forms that translate it."""
    if isinstance(entry.id, tuple):
        singular, plural = entry.id
        return [(singular, entry.string[0])] + [(plural, text) for text in entry.string[1:]]
    return [(entry.id, entry.string)]


def test_catalogue__translates_every_source_string():
    catalogue = read_catalogue()

    untranslated = []
    for message in extract_source_messages():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(msgid)
        if entry is None or not _is_translated(entry):
            untranslated.append(msgid)

    assert not untranslated, "\n".join([FIX_HINT, *sorted(untranslated)])


def test_catalogue__has_no_fuzzy_entries():
    catalogue = read_catalogue()

    fuzzy = [entry.id for entry in catalogue if entry.id and entry.fuzzy]

    assert not fuzzy, "\n".join(["Check these entries and remove their `#, fuzzy` flag:",
                                 *map(repr, fuzzy)])


def test_catalogue__keeps_placeholders_and_html():
    catalogue = read_catalogue()

    changed = []
    for entry in catalogue:
        if not entry.id or not _is_translated(entry):
            continue
        for source, translation in _forms(entry):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                changed.append(f"placeholders differ: {source!r} -> {translation!r}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(translation)):
                changed.append(f"HTML differs: {source!r} -> {translation!r}")

    assert not changed, "\n".join(changed)


def test_login_page__is_dutch_by_default(client):
    page = client.get("/inloggen").get_data(as_text=True)

    assert '<html lang="nl">' in page
    assert "Inloggen met e-mailadres" in page
    assert "Een account aanmaken" in page


def test_login_page__is_english_after_choosing_english(client):
    response = client.post("/taal", data={"language": "en", "next": "/inloggen"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)

    assert '<html lang="en">' in page
    assert "Log in with e-mail address" in page
    assert "Create an account" in page
    assert "Inloggen met e-mailadres" not in page


def test_language_choice__lasts_for_the_session(client):
    client.post("/taal", data={"language": "en", "next": "/inloggen"})

    page = client.get("/account-aanmaken/e-mailadres").get_data(as_text=True)

    assert '<html lang="en">' in page
    assert "Next step" in page
    assert "Volgende stap" not in page


def test_welcome_page__is_english_for_an_english_account(client, auth):
    account = make_account(language="en", first_name="Jan")
    auth.login(account.email)

    page = client.get("/welkom").get_data(as_text=True)

    assert '<html lang="en">' in page
    assert "Welcome, Jan" in page
    assert "Ask a question" in page
    assert "submit a request" in page
    assert "Stel een vraag" not in page


@pytest.mark.parametrize("language, subject_start, text_lines, html_parts", [
    ("en", "Your request RD-",
     ["Dear Ann de Vries,", "We have received your request. Its reference is RD-",
      "We will handle it by"],
     ["<p>Dear Ann de Vries,</p>", ">View your request</a>"]),
    ("nl", "Je verzoek RD-",
     ["Beste Ann de Vries,", "We hebben je verzoek ontvangen. Het kenmerk is RD-",
      "We handelen het uiterlijk"],
     ["<p>Beste Ann de Vries,</p>", ">Je verzoek bekijken</a>"]),
])
def test_mail__is_in_recipient_language(app, language, subject_start, text_lines, html_parts):
    ticket = make_ticket()
    recipient = Recipient("ann@school.example", "Ann de Vries", language=language)

    mail = queue_mail("request_received", recipient, {}, ticket)
    db.session.commit()

    assert mail.subject.startswith(subject_start)
    assert ticket.reference in mail.subject
    for line in text_lines:
        assert line in mail.body_text
    for part in html_parts:
        assert part in mail.body_html


def test_mail__english_has_no_dutch_sentences(app):
    ticket = make_ticket()
    recipient = Recipient("ann@school.example", "Ann de Vries", language="en")

    mail = queue_mail("request_received", recipient, {}, ticket)

    # Links keep their Dutch paths (/verzoeken/1), so only the words outside URLs count.
    text = re.sub(r"https?://\S+", "", mail.body_text)
    html = re.sub(r"https?://[^\s\"<]+", "", mail.body_html)
    for dutch in ("Beste", "verzoek", "kenmerk", "uiterlijk", "bekijken"):
        assert dutch not in text
        assert dutch not in html
