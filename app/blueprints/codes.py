"""Redeeming an activation code under "Profiel"."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("codes", __name__)


@bp.route("/profiel/activatiecode", methods=["GET", "POST"])
@login_required
def redeem():
    return render_template("codes/redeem.html")
