"""SLA reports for managers."""

from flask import Blueprint, render_template

from app.access import staff_required

bp = Blueprint("reports", __name__, url_prefix="/rapportage")


@bp.get("/")
@staff_required("manager")
def dashboard():
    return render_template("reports/dashboard.html")
