"""Login and logout for everyone: requesters and staff use the same page."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import db, limiter, login_manager
from app.forms import LoginForm
from app.models import Account
from app.models.types import utcnow
from app.services.accounts import find_account, verify_password

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_account(account_id: str) -> Account | None:
    return db.session.get(Account, int(account_id))


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        account = find_account(form.email.data)
        if verify_password(account, form.password.data) and account.is_active:
            account.last_login_at = utcnow()
            db.session.commit()
            login_user(account)
            logger.info("account %s logged in", account.id)
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
        db.session.rollback()
        logger.warning("failed login")
        form.password.errors.append(_("Het e-mailadres of het wachtwoord klopt niet."))
    return render_template("auth/login.html", form=form)


@bp.post("/uitloggen")
@login_required
def logout():
    logout_user()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))
