"""Redeeming an activation code under "Profiel"."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.extensions import limiter
from app.services.codes import redeem_code
from app.services.errors import DomainError

logger = logging.getLogger(__name__)

bp = Blueprint("codes", __name__)

# Only refused attempts count, so someone who mistypes once is not locked out, while
# guessing stops after a few tries per account and per address.
ACCOUNT_LIMIT = "5 per 10 minutes; 20 per day"
ADDRESS_LIMIT = "20 per hour"


class RedeemForm(FlaskForm):
    code = StringField(_l("Activatiecode"), validators=[
        DataRequired(_l("Vul de activatiecode in.")), Length(max=40, message=_l(
            "Een activatiecode heeft 16 tekens, bijvoorbeeld ABCD-EFGH-JKMN-PQRS."))])


def _account_key() -> str:
    return f"account:{current_user.get_id()}"


def _rejected(response) -> bool:
    return response.status_code >= 400


@bp.route("/profiel/activatiecode", methods=["GET", "POST"])
@login_required
@limiter.limit(ACCOUNT_LIMIT, key_func=_account_key, methods=["POST"], deduct_when=_rejected)
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=_rejected)
def redeem():
    form = RedeemForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("codes/redeem.html", form=form), status

    try:
        code = redeem_code(current_user, form.code.data)
    except DomainError as error:
        logger.warning("account %s: activation code rejected: %s", current_user.id, error.detail)
        form.code.errors.append(str(error.message))
        return render_template("codes/redeem.html", form=form), error.status

    flash(_("De code is verwerkt. Je rol is nu %(role)s.",
            role=code.role.label(current_user.language)), "success")
    return redirect(url_for("codes.redeem"))
