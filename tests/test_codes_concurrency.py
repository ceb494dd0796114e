"""Two accounts redeeming the last use of a code at the same moment: exactly one succeeds."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, ActivationCode, CodeRedemption
from app.models.types import utcnow
from app.services import codes as code_service
from app.services.accounts import role_by_code
from app.services.codes import CodeRefused, CodeRequest, issue_code
from tests.factories import make_account, make_school
from tests.fixtures.browser import on_postgresql


def _code_with_one_use_left():
    admin = make_account(staff=("admin",))
    now = utcnow()
    code, plain = issue_code(admin, CodeRequest(
        role_id=role_by_code("workplace_trainer").id, school_id=make_school().id,
        valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1), max_uses=2))
    db.session.execute(ActivationCode.__table__.update().where(ActivationCode.id == code.id)
                       .values(uses=1))
    db.session.commit()
    return code.id, plain


@on_postgresql
def test_redeem__last_use_race_has_one_winner(app, monkeypatch):
    code_id, plain = _code_with_one_use_left()
    account_ids = [make_account().id, make_account().id]
    both_checked = threading.Barrier(2, timeout=10)
    original_take_use = code_service._take_use

    def take_use_after_both_checked(code, account, now):
        # Both threads have passed the "uses < max_uses" check before either updates.
        both_checked.wait()
        original_take_use(code, account, now)

    monkeypatch.setattr(code_service, "_take_use", take_use_after_both_checked)
    outcomes: dict[int, str] = {}

    def redeem(account_id):
        with app.app_context():
            account = db.session.get(Account, account_id)
            try:
                code_service.redeem_code(account, plain)
                outcomes[account_id] = "redeemed"
            except CodeRefused as error:
                outcomes[account_id] = str(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=redeem, args=(account_id,)) for account_id in account_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    db.session.expire_all()
    assert sorted(outcomes.values())[1] == "redeemed"
    assert "al zo vaak gebruikt" in sorted(outcomes.values())[0]
    assert db.session.get(ActivationCode, code_id).uses == 2
    assert db.session.scalar(select(func.count()).select_from(CodeRedemption)) == 1
    roles = [db.session.get(Account, account_id).role.code for account_id in account_ids]
    assert sorted(roles) == ["student", "workplace_trainer"]


@on_postgresql
@pytest.mark.parametrize("round_number", range(3))
def test_redeem__simultaneous_attempts_never_overuse(app, round_number):
    code_id, plain = _code_with_one_use_left()
    account_ids = [make_account().id for _ in range(4)]
    start = threading.Barrier(len(account_ids), timeout=10)
    successes = []

    def redeem(account_id):
        with app.app_context():
            start.wait()
            try:
                code_service.redeem_code(db.session.get(Account, account_id), plain)
                successes.append(account_id)
            except CodeRefused:
                pass
            finally:
                db.session.remove()

    threads = [threading.Thread(target=redeem, args=(account_id,)) for account_id in account_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    db.session.expire_all()
    assert len(successes) == 1
    assert db.session.get(ActivationCode, code_id).uses == 2
