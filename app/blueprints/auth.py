"""Login and logout for everyone, and the sign-up wizard for e-mail accounts."""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from app.blueprints.auth_forms import (
    EmailStepForm,
    FirstNameStepForm,
    LastNameStepForm,
    PasswordStepForm,
    ResendForm,
)
from app.extensions import db, limiter, login_manager
from app.forms import LoginForm
from app.models import Account
from app.models.types import utcnow
from app.services import signup
from app.services.accounts import find_account, verify_password

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    # Every page reads the memberships (the menu depends on them), so they come in the same query.
    return db.session.get(Account, int(account_id), options=[joinedload(Account.memberships)])


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _login_failed(response) -> bool:
    # A correct login redirects. Counting only the rest lets a class behind one school
    # address log in at once, while guessing passwords still runs into the limit.
    return not 300 <= response.status_code < 400


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"], deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        account = find_account(form.email.data)
        if verify_password(account, form.password.data) and account.is_active:
            if account.confirmed_at is None:
                return _unconfirmed_login(account)
            account.last_login_at = utcnow()
            db.session.commit()
            login_user(account)
            logger.info("account %s logged in", account.id)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        db.session.rollback()
        logger.warning("failed login")
        form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form)


def _unconfirmed_login(account: Account):
    """Send a correct login of an unconfirmed account to the waiting page instead of logging in."""
    db.session.commit()
    _wait_for_confirmation(account.id, account.email)
    flash(_("Je account is nog niet bevestigd. Klik op de link in de e-mail, of laat de "
            "e-mail opnieuw versturen."), "warning")
    return redirect(url_for("auth.signup_sent"))


@bp.post("/uitloggen")
@login_required
def logout():
    logout_user()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


# The wizard's steps in order: URL slug, form, and the draft fields the step fills.
SIGNUP_STEPS = [
    ("e-mailadres", EmailStepForm, ("email",)),
    ("voornaam", FirstNameStepForm, ("first_name",)),
    ("achternaam", LastNameStepForm, ("tussenvoegsel", "last_name")),
    ("wachtwoord", PasswordStepForm, ()),
]
_DRAFT_KEY = "signup_draft"
_PENDING_KEY = "signup_pending_id"
_SENT_TO_KEY = "signup_sent_to"


def _draft() -> dict:
    return dict(session.get(_DRAFT_KEY) or {})


def _first_missing_step(draft: dict) -> int:
    """Return the index of the first step whose fields are not in the draft yet."""
    for index, (_slug, _form, fields) in enumerate(SIGNUP_STEPS):
        if any(name not in draft for name in fields):
            return index
    return len(SIGNUP_STEPS) - 1


def _wait_for_confirmation(account_id: int | None, address: str) -> None:
    if account_id is not None:
        session[_PENDING_KEY] = account_id
    session[_SENT_TO_KEY] = address


@bp.get("/account-aanmaken")
def signup_start():
    return redirect(url_for("auth.signup_step", slug=SIGNUP_STEPS[0][0]))


@bp.route("/account-aanmaken/<slug>", methods=["GET", "POST"])
def signup_step(slug: str):
    """Show one step of the wizard; a valid post stores the field in the session draft."""
    index = next((i for i, step in enumerate(SIGNUP_STEPS) if step[0] == slug), None)
    if index is None:
        abort(404)
    draft = _draft()
    missing = _first_missing_step(draft)
    if index > missing:
        return redirect(url_for("auth.signup_step", slug=SIGNUP_STEPS[missing][0]))
    if index == len(SIGNUP_STEPS) - 1:
        return _password_step(draft)

    form = SIGNUP_STEPS[index][1](data=draft)
    if form.validate_on_submit():
        draft.update({name: form[name].data or "" for name in SIGNUP_STEPS[index][2]})
        session[_DRAFT_KEY] = draft
        return redirect(url_for("auth.signup_step", slug=SIGNUP_STEPS[index + 1][0]))

    return render_template("auth/signup_step.html", form=form, step=index + 1,
                           steps=len(SIGNUP_STEPS), back=_previous_step_url(index))


def _previous_step_url(index: int) -> str | None:
    if index == 0:
        return None
    return url_for("auth.signup_step", slug=SIGNUP_STEPS[index - 1][0])


def _password_step(draft: dict):
    form = PasswordStepForm()
    if form.validate_on_submit():
        problem = signup.password_problem(form.password.data, draft["email"])
        if problem is None:
            fields = {name: draft.get(name, "") for name in ("email", "first_name", "tussenvoegsel", "last_name")}
            account_id = signup.register(signup.SignupDraft(**fields), form.password.data,
                                         session.get(_PENDING_KEY))
            _wait_for_confirmation(account_id, draft["email"])
            return redirect(url_for("auth.signup_sent"))
        form.password.errors.append(problem)

    return render_template("auth/signup_step.html", form=form, step=len(SIGNUP_STEPS),
                           steps=len(SIGNUP_STEPS), back=_previous_step_url(len(SIGNUP_STEPS) - 1),
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])


@bp.get("/account-aanmaken/verstuurd")
def signup_sent():
    """Show the waiting page, identical for a new address and for one that already has an account."""
    address = session.get(_SENT_TO_KEY)
    if not address:
        return redirect(url_for("auth.signup_start"))
    return render_template("auth/signup_sent.html", address=address, form=ResendForm())


@bp.post("/account-aanmaken/opnieuw-versturen")
@limiter.limit("3 per 10 minutes; 10 per day")
def signup_resend():
    form = ResendForm()
    if not form.validate_on_submit():
        abort(400)

    signup.resend(session.get(_PENDING_KEY))

    flash(_("We hebben de e-mail opnieuw verstuurd. Kijk ook in je map met ongewenste e-mail."), "success")
    return redirect(url_for("auth.signup_sent"))


@bp.get("/account-bevestigen/<token>")
def confirm_account(token: str):
    """Confirm an account from the mail's link, once, then open the login page."""
    # NOTE: a mail scanner that opens links confirms the account before its owner does.
    # The owner's click then shows "already used" with the way to log in.
    try:
        signup.confirm(token)
    except signup.ConfirmationFailed as error:
        logger.warning("confirmation link rejected: %s", error.detail)
        return render_template("auth/confirm_failed.html", message=error.message), 400

    for key in (_DRAFT_KEY, _PENDING_KEY, _SENT_TO_KEY):
        session.pop(key, None)
    if current_user.is_authenticated:
        logout_user()
    flash(_("Je account is bevestigd. Log in met je e-mailadres en wachtwoord."), "success")
    return redirect(url_for("auth.login"))
