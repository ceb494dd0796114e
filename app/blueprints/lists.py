"""Requests for a list of accounts: role changes and account creation."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("lists", __name__, url_prefix="/verzoek/lijst")


@bp.route("/", methods=["GET", "POST"])
@login_required
def new():
    return render_template("lists/new.html")
