"""Admin pages: schools, platform roles, the calendar, activation codes and staff.

Each area lives in its own module and adds its routes to ``bp``.
"""

from flask import Blueprint, render_template

from app.access import staff_required

bp = Blueprint("admin", __name__, url_prefix="/beheer")


@bp.get("/")
@staff_required("admin")
def index():
    return render_template("admin/index.html")
