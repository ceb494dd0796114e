"""Setting a password through the single-use link mailed with a newly created account."""

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.services.account_creation import account_for_password_token, set_password

logger = logging.getLogger(__name__)

bp = Blueprint("passwords", __name__)


def _long_enough(form, field) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(field.data or "") < minimum:
        raise ValidationError(_l("Kies een wachtwoord van minimaal %(count)s tekens.", count=minimum))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[
        DataRequired(_l("Vul een wachtwoord in.")), Length(max=200, message=_l("Een wachtwoord is maximaal 200 tekens.")),
        _long_enough])
    repeat = PasswordField(_l("Herhaal het wachtwoord"), validators=[
        DataRequired(_l("Vul het wachtwoord nog een keer in.")),
        EqualTo("password", message=_l("De twee wachtwoorden zijn niet gelijk. Typ ze opnieuw."))])


@bp.route("/wachtwoord-instellen/<token>", methods=["GET", "POST"])
def set_password_page(token: str):
    account = account_for_password_token(token)
    if account is None:
        logger.warning("invalid, used or expired set-password link")
        return render_template("passwords/set_password.html", form=None, account=None), 410
    form = SetPasswordForm()
    if not form.validate_on_submit():
        return render_template("passwords/set_password.html", form=form, account=account)

    set_password(account, form.password.data)

    flash(_("Je wachtwoord is ingesteld. Log in met je e-mailadres en wachtwoord."), "success")
    return redirect(url_for("auth.login"))
