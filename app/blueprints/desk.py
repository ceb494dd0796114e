"""The helpdesk desk: the queue and bulk actions on a selection from it."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import staff_required
from app.blueprints.desk_forms import BulkForm, reason_choices, rejection_text
from app.extensions import db
from app.models import TICKET_KINDS, PlatformRole, School, Ticket
from app.models.tickets import EVENT_FIRST_APPROVAL
from app.models.types import utcnow
from app.services import clock, sla_status
from app.services.errors import DomainError
from app.services.queue import QueueFilter, load_queue
from app.services.workflow import fire_trigger

logger = logging.getLogger(__name__)

bp = Blueprint("desk", __name__, url_prefix="/helpdesk")

MAX_BULK = 200


def _queue_choices() -> dict:
    return {
        "schools": db.session.scalars(select(School).order_by(School.name)).all(),
        "roles": db.session.scalars(select(PlatformRole).order_by(PlatformRole.position)).all(),
        "kinds": TICKET_KINDS,
        "sla_statuses": sla_status.SLA_STATUSES,
    }


@bp.get("/")
@staff_required("agent")
def queue():
    view = QueueFilter.from_args(request.args)
    now = utcnow()
    result = load_queue(view, current_user, now)

    bulk_form = BulkForm()
    bulk_form.reason.choices = reason_choices()
    return render_template("desk/queue.html", view=view, result=result, bulk_form=bulk_form,
                           time_left=lambda ticket: clock.time_left(ticket, now), now_utc=now,
                           **_queue_choices())


def _selected_tickets() -> list[tuple[int, int | None]]:
    """Read the ticked rows, each posted as "id:version" so a stale row is refused."""
    selected = []
    for value in request.form.getlist("tickets")[:MAX_BULK]:
        ticket_id, _sep, version = value.partition(":")
        if ticket_id.isdigit():
            selected.append((int(ticket_id), int(version) if version.isdigit() else None))
    return selected


def _bulk_one(ticket_id: int, version: int | None, action: str, form: BulkForm) -> tuple:
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return None, ticket_id, _("Dit verzoek bestaat niet (meer).")
    text = form.text.data or ""
    if action == "reject":
        text = rejection_text(form.reason.data, text, ticket.requester.language)
    try:
        history = fire_trigger(ticket, action, current_user, text, version)
    except DomainError as error:
        return False, ticket, str(error.message)
    if history.kind == EVENT_FIRST_APPROVAL:
        return True, ticket, _("Eerste goedkeuring vastgelegd; een tweede helpdeskmedewerker "
                               "moet nog goedkeuren.")
    return True, ticket, ""


@bp.post("/selectie")
@staff_required("agent")
def bulk():
    form = BulkForm()
    form.reason.choices = reason_choices()
    view = request.form.get("view", "")
    back = url_for(".queue") + ("?" + view if view else "")
    selected = _selected_tickets()
    if not form.validate() or not selected:
        flash(_("Vink een of meer verzoeken aan en kies een actie."), "error")
        return redirect(back)
    if form.action.data == "reject" and not (form.reason.data or (form.text.data or "").strip()):
        flash(_("Kies een standaardreden of schrijf een toelichting om af te wijzen."), "error")
        return redirect(back)

    results = [_bulk_one(ticket_id, version, form.action.data, form) for ticket_id, version in selected]
    logger.info("bulk %s by account %s: %s tickets, %s done", form.action.data, current_user.id,
                len(results), sum(1 for done, *_rest in results if done))
    return render_template("desk/bulk_result.html", action=form.action.data, back=back,
                           done=[row[1:] for row in results if row[0]],
                           refused=[row[1:] for row in results if not row[0]])
