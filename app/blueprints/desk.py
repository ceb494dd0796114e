"""The helpdesk desk: the queue and the ticket page."""

from flask import Blueprint, render_template

from app.access import staff_required

bp = Blueprint("desk", __name__, url_prefix="/helpdesk")


@bp.get("/")
@staff_required("agent")
def queue():
    return render_template("desk/queue.html")
