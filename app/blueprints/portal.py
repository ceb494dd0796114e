"""The requester's portal: welcome page, requests and profile."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("portal", __name__)


@bp.get("/welkom")
@login_required
def welcome():
    return render_template("portal/welcome.html")
