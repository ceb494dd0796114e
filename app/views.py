"""The start page, which sends each person to their own part of Roldesk."""

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

from app.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_agent:
        return redirect(url_for("desk.queue"))
    if current_user.is_manager:
        return redirect(url_for("reports.dashboard"))
    if current_user.is_admin:
        return redirect(url_for("admin.index"))
    return redirect(url_for("portal.welcome"))


@bp.get("/health")
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.post("/taal")
def choose_language():
    """Store the chosen language in the session and, for a logged-in user, on the account."""
    from app import LANGUAGES
    from flask import session

    language = request.form.get("language")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    target = request.form.get("next") or url_for("main.index")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)
