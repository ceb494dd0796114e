"""The requester's portal: welcome page, first-login steps and "Profiel"."""

import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.blueprints.portal_forms import ProfileForm, SchoolForm
from app.extensions import db
from app.models import DEFAULT_ROLE_CODE, ORIGIN_EMAIL, School
from app.models.types import utcnow

logger = logging.getLogger(__name__)

bp = Blueprint("portal", __name__)


def onboarding_redirect():
    """Return a redirect to the first-login step still open ("Kies je school", then the profile), or None."""
    if current_user.profile_completed_at is not None:
        return None
    if current_user.school_id is None:
        return redirect(url_for("portal.choose_school"))
    return redirect(url_for("portal.complete_profile"))


def shows_role_notice(account) -> bool:
    """Return whether the welcome page shows this account the notice that non-students need another role."""
    return account.origin == ORIGIN_EMAIL and account.role.code == DEFAULT_ROLE_CODE


def _school_choices() -> list[tuple]:
    schools = db.session.scalars(select(School).order_by(School.name)).all()
    return [SelectChoice("", _("Kies je school of organisatie"))] + [
        SelectChoice(school.id, school.name) for school in schools]


@bp.get("/welkom")
@login_required
def welcome():
    pending = onboarding_redirect()
    if pending is not None:
        return pending
    return render_template("portal/welcome.html", role_notice=shows_role_notice(current_user))


@bp.route("/school", methods=["GET", "POST"])
@login_required
def choose_school():
    """Ask for the school on first login ("Kies je school", "Verder")."""
    form = SchoolForm(data={"school": current_user.school_id})
    form.school.choices = _school_choices()
    if form.validate_on_submit():
        current_user.school_id = form.school.data
        db.session.commit()
        logger.info("account %s chose school %s", current_user.id, form.school.data)
        return redirect(url_for("portal.complete_profile"))

    return render_template("portal/school.html", form=form)


@bp.route("/profiel/aanvullen", methods=["GET", "POST"])
@login_required
def complete_profile():
    """Ask for the required profile fields on first login ("Bevestigen")."""
    return _profile_page(first_time=True)


@bp.route("/profiel", methods=["GET", "POST"])
@login_required
def profile():
    """Let the user change the profile later, including the language."""
    return _profile_page(first_time=False)


def _profile_page(first_time: bool):
    account = current_user
    form = ProfileForm(data={
        "first_name": account.first_name, "tussenvoegsel": account.tussenvoegsel,
        "last_name": account.last_name, "school": account.school_id,
        "student_number": account.student_number, "language": account.language,
    })
    form.school.choices = _school_choices()
    if form.validate_on_submit():
        _save_profile(form)
        if first_time:
            return redirect(url_for("portal.welcome"))
        flash(_("Je profiel is opgeslagen."), "success")
        return redirect(url_for("portal.profile"))

    return render_template("portal/profile.html", form=form, first_time=first_time)


def _save_profile(form: ProfileForm) -> None:
    account = current_user
    account.first_name = form.first_name.data
    account.tussenvoegsel = form.tussenvoegsel.data or ""
    account.last_name = form.last_name.data
    account.school_id = form.school.data
    account.student_number = form.student_number.data or None
    account.language = form.language.data
    if account.profile_completed_at is None:
        account.profile_completed_at = utcnow()
    db.session.commit()
    logger.info("account %s saved its profile", account.id)
