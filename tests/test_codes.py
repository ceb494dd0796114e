"""Activation codes: issuing, redeeming under Profiel, the refusals, revoking and rate limits."""

import re
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import ActivationCode, HistoryEvent
from app.models.types import utcnow
from app.services.accounts import role_by_code
from app.services.codes import ALPHABET, CodeRequest, generate_code, hash_code, issue_code, revoke_code
from tests.factories import make_account, make_school

CODE_SHAPE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){3}$")


def _issue(max_uses=5, starts=-1, ends=30, role="workplace_trainer"):
    admin = make_account(staff=("admin",))
    school = make_school()
    now = utcnow()
    return issue_code(admin, CodeRequest(role_id=role_by_code(role).id, school_id=school.id,
                                         valid_from=now + timedelta(days=starts),
                                         valid_until=now + timedelta(days=ends),
                                         max_uses=max_uses, note="Cursus praktijkopleiders"))


@pytest.fixture
def user(app, auth):
    account = make_account(email="begeleider@bedrijf.example")
    auth.login("begeleider@bedrijf.example")
    return account


def _redeem(client, code):
    return client.post("/profiel/activatiecode", data={"code": code}, follow_redirects=True)


def test_generate_code__grouped_without_lookalikes():
    codes = {generate_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        assert CODE_SHAPE.match(code), code
    assert not set("01IOL") & set(ALPHABET)


def test_issue__stores_only_a_hash(app):
    code, plain = _issue()

    stored = db.session.get(ActivationCode, code.id)
    assert stored.code_hash == hash_code(plain)
    assert plain not in stored.code_hash
    assert plain.replace("-", "") not in stored.code_hash


def test_redeem__changes_role_at_once(app, client, user):
    code, plain = _issue()

    page = _redeem(client, plain.lower().replace("-", " ")).get_data(as_text=True)

    db.session.expire_all()
    assert "Je rol is nu Praktijkopleider / werkbegeleider" in page
    assert user.role.code == "workplace_trainer"
    assert db.session.get(ActivationCode, code.id).uses == 1


def test_redeem__history_counts_as_self_service(app, client, user):
    _, plain = _issue()

    _redeem(client, plain)

    event = db.session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "code_redeemed")).one()
    assert event.ticket_id is None
    assert event.account_id == user.id
    assert event.actor_id == user.id


@pytest.mark.parametrize("setup, expected", [
    ({"ends": -1, "starts": -10}, "Deze activatiecode is verlopen."),
    ({"starts": 2}, "Deze activatiecode is nog niet geldig."),
    ({"max_uses": 1, "used": True}, "Deze activatiecode is al zo vaak gebruikt als is afgesproken."),
    ({"revoked": True}, "Deze activatiecode is ingetrokken."),
    ({"typo": True}, "Deze activatiecode bestaat niet."),
])
def test_redeem__refusals_have_own_message(app, client, user, setup, expected):
    setup = dict(setup)
    used, revoked, typo = (setup.pop(key, False) for key in ("used", "revoked", "typo"))
    code, plain = _issue(**setup)
    if used:
        db.session.execute(ActivationCode.__table__.update().values(uses=1))
        db.session.commit()
    if revoked:
        revoke_code(code, code.created_by)

    response = _redeem(client, "ABCD-EFGH-JKMN-PQRS" if typo else plain)

    db.session.expire_all()
    assert expected in response.get_data(as_text=True)
    assert response.status_code == 422
    assert user.role.code == "student"


def test_redeem__entree_account_cannot(app, client, auth):
    make_account(email="entree@roc.example", origin="entree")
    auth.login("entree@roc.example")
    _, plain = _issue()

    response = _redeem(client, plain)

    assert response.status_code == 403
    assert "Je logt in via Entree" in response.get_data(as_text=True)


def test_redeem__same_role_is_refused(app, client, auth):
    make_account(email="docent@roc.example", role="teacher")
    auth.login("docent@roc.example")
    code, plain = _issue(role="teacher")

    response = _redeem(client, plain)

    assert "heeft de rol Docent al" in response.get_data(as_text=True)
    assert db.session.get(ActivationCode, code.id).uses == 0


def test_redeem__empty_code_keeps_form(app, client, user):
    response = client.post("/profiel/activatiecode", data={"code": ""})

    assert response.status_code == 422
    assert "Vul de activatiecode in." in response.get_data(as_text=True)


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_redeem__guessing_is_rate_limited_per_account(app, client, user):
    statuses = [_redeem(client, f"AAAA-BBBB-CCCC-{number:04d}").status_code for number in range(6)]

    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_redeem__guessing_is_rate_limited_per_address(app):
    statuses = []
    for number in range(21):
        # The fixture's app context outlives each request, so Flask-Login's cached user
        # in ``g`` would otherwise carry over to the next client.
        g.pop("_login_user", None)
        client = app.test_client()
        account = make_account(email=f"gok{number}@bedrijf.example")
        # Logged in through the session, since the login page has its own address limit.
        with client.session_transaction() as session:
            session["_user_id"] = str(account.id)
            session["_fresh"] = True
        statuses.append(_redeem(client, "AAAA-BBBB-CCCC-DDDD").status_code)

    assert statuses[:20] == [422] * 20
    assert statuses[20] == 429


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_redeem__success_does_not_count_towards_limit(app, client, user):
    for number in range(4):
        _redeem(client, f"AAAA-BBBB-CCCC-{number:04d}")
    _, plain = _issue()

    response = _redeem(client, plain)

    assert "Je rol is nu" in response.get_data(as_text=True)


def test_admin__issue_shows_code_once(app, client, auth):
    make_account(email="beheer@roldesk.example", staff=("admin",))
    school = make_school(name="ROC Voorbeeld")
    auth.login("beheer@roldesk.example")

    page = client.post("/beheer/activatiecodes/nieuw", data={
        "role_id": role_by_code("workplace_trainer").id, "school_id": school.id,
        "valid_from": "2026-01-01", "valid_until": "2099-12-31", "max_uses": "25",
        "note": "Cursus maart"}, follow_redirects=True).get_data(as_text=True)
    shown = re.search(r'data-testid="issued-code">([A-Z0-9-]+)<', page).group(1)
    again = client.get(page_url := f"/beheer/activatiecodes/{db.session.scalars(select(ActivationCode.id)).one()}")

    assert CODE_SHAPE.match(shown)
    assert db.session.scalars(select(ActivationCode)).one().code_hash == hash_code(shown)
    assert shown not in again.get_data(as_text=True), page_url


def test_admin__issue_with_period_reversed_is_refused(app, client, auth):
    make_account(email="beheer@roldesk.example", staff=("admin",))
    auth.login("beheer@roldesk.example")

    response = client.post("/beheer/activatiecodes/nieuw", data={
        "role_id": role_by_code("teacher").id, "school_id": "0", "organisation": "Trainingsbureau",
        "valid_from": "2026-05-01", "valid_until": "2026-04-01", "max_uses": "3"})

    assert "De einddatum moet na de begindatum liggen." in response.get_data(as_text=True)
    assert db.session.scalars(select(ActivationCode)).first() is None


def test_admin__sees_uses_and_revokes(app, client, auth, user):
    code, plain = _issue()
    _redeem(client, plain)
    auth.logout()
    admin = make_account(email="beheer2@roldesk.example", staff=("admin",))
    auth.login("beheer2@roldesk.example")

    detail = client.get(f"/beheer/activatiecodes/{code.id}").get_data(as_text=True)
    client.post(f"/beheer/activatiecodes/{code.id}/intrekken")

    db.session.expire_all()
    assert "1 van 5" in detail
    assert "begeleider@bedrijf.example" in detail
    assert db.session.get(ActivationCode, code.id).revoked_by_id == admin.id


def test_admin__pages_need_admin(app, client, user):
    assert client.get("/beheer/activatiecodes").status_code == 403
