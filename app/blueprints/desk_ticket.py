"""The ticket page of the desk and the actions an agent takes on it."""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import Length, Optional
from wtforms.fields.choices import SelectChoice

from app.access import get_ticket_or_404, staff_required
from app.blueprints.desk_forms import (
    ActionForm,
    AssignForm,
    MessageForm,
    NoteForm,
    VersionedForm,
    reason_choices,
    rejection_text,
)
from app.extensions import db
from app.models import STAFF_AGENT, Account, RequestLine, StaffMembership
from app.models.tickets import EVENT_FIRST_APPROVAL
from app.models.types import utcnow
from app.services import apply, clock, conversation, delivery, list_requests
from app.services.errors import DomainError, InvalidInput
from app.services.workflow import allowed_triggers, fire_trigger
from workflows import ticket_machine as machine

logger = logging.getLogger(__name__)

bp = Blueprint("desk_ticket", __name__, url_prefix="/helpdesk/verzoek")

DONE_MESSAGES = {
    "start_review": _l("Je hebt het verzoek in behandeling genomen."),
    "ask_requester": _l("Je vraag is naar de aanvrager gestuurd. De termijn staat stil tot die antwoordt."),
    "approve": _l("Het verzoek is goedgekeurd. De rol wordt nu doorgevoerd."),
    "reject": _l("Het verzoek is afgewezen en de aanvrager heeft de reden gekregen."),
    "answer": _l("Je antwoord is naar de aanvrager gestuurd."),
    "reopen": _l("Het verzoek is heropend en weer in behandeling."),
}


# Buttons in this order: moving the request forward first, rejecting last.
BUTTON_ORDER = ("start_review", "approve", "answer", "reopen", "ask_requester", "reject")
TEXT_LABELS = {
    "answer": _l("Antwoord aan de aanvrager"),
    "reject": _l("Eigen toelichting"),
}


class LineDecisionForm(FlaskForm):
    """Approve or reject one line, or every undecided line. The pressed button selects which."""

    text = TextAreaField(_l("Reden van afwijzing"),
                         validators=[Optional(), Length(max=conversation.MAX_TEXT_LENGTH)])


def _line_forms(ticket, forms: dict) -> dict:
    """Return a decision form per line, and one for all lines, while the ticket is in review.

    A refused decision keeps its forms even when the ticket left review, so the typed reason stays.
    """
    names = [f"line-{line.id}" for line in ticket.lines] + ["lines"]
    if ticket.state != machine.IN_REVIEW and not any(name in forms for name in names):
        return {}
    return {name: forms.get(name) or LineDecisionForm(prefix=name, formdata=None) for name in names}


def _agent_triggers(ticket) -> list[str]:
    """Return the buttons to show: the agent's triggers, without a second approval of one's own."""
    triggers = [trigger for trigger in allowed_triggers(ticket, current_user)
                if machine.actor_for(ticket.kind, trigger) == machine.AGENT]
    if ticket.first_approver_id == current_user.id and "approve" in triggers:
        triggers.remove("approve")
    return sorted(triggers, key=lambda trigger: BUTTON_ORDER.index(trigger)
                  if trigger in BUTTON_ORDER else len(BUTTON_ORDER))


def _agents() -> list[Account]:
    return db.session.scalars(
        select(Account).join(StaffMembership).where(StaffMembership.kind == STAFF_AGENT)
        .order_by(Account.last_name, Account.first_name)
    ).all()


def _fresh_version(form, version: int):
    form.version.data = version
    form.version.raw_data = None
    return form


def _page(ticket, status: int = 200, error: str | None = None, forms: dict | None = None):
    forms = forms or {}
    triggers = _agent_triggers(ticket)
    reasons = reason_choices()
    actions = {}
    for trigger in triggers:
        form = forms.get(trigger) or ActionForm(prefix=trigger, formdata=None)
        form.reason.choices = reasons
        form.text.label.text = TEXT_LABELS.get(trigger, form.text.label.text)
        actions[trigger] = _fresh_version(form, ticket.version)
    assign_form = forms.get("assign") or AssignForm(formdata=None, assignee=ticket.assignee_id or 0)
    assign_form.assignee.choices = [SelectChoice(0, _("Niemand"))] + [
        SelectChoice(agent.id, agent.full_name or agent.email) for agent in _agents()]
    writing = {
        "message": forms.get("message") or MessageForm(prefix="message", formdata=None),
        "note": forms.get("note") or NoteForm(prefix="note", formdata=None),
        "assign": assign_form,
        "retry": VersionedForm(prefix="retry", formdata=None),
    }
    for form in writing.values():
        _fresh_version(form, ticket.version)
    now = utcnow()
    return render_template("desk/ticket.html", ticket=ticket, actions=actions, forms=writing,
                           error=error, time_left=clock.time_left(ticket, now), now_utc=now,
                           text_required=machine.TEXT_REQUIRED,
                           line_forms=_line_forms(ticket, forms),
                           failed_mails=delivery.failed_mails(ticket.id)), status


@bp.get("/<int:ticket_id>")
@staff_required("agent")
def show(ticket_id: int):
    return _page(get_ticket_or_404(ticket_id))


def _refused(ticket, error: DomainError, name: str, form):
    """Show the page again with the refusal and the typed text kept."""
    db.session.rollback()
    if isinstance(error, InvalidInput) and hasattr(form, "text"):
        form.text.errors = [*form.text.errors, str(error.message)]
        return _page(ticket, error.status, forms={name: form})
    return _page(ticket, error.status, error=str(error.message), forms={name: form})


@bp.post("/<int:ticket_id>/actie/<trigger>")
@staff_required("agent")
def act(ticket_id: int, trigger: str):
    ticket = get_ticket_or_404(ticket_id)
    form = ActionForm(prefix=trigger)
    form.reason.choices = reason_choices()
    if not form.validate():
        return _page(ticket, 422, forms={trigger: form})

    text = form.text.data or ""
    if trigger == "reject":
        text = rejection_text(form.reason.data, text, ticket.requester.language)
    try:
        history = fire_trigger(ticket, trigger, current_user, text, form.version.data)
    except DomainError as error:
        return _refused(ticket, error, trigger, form)

    if history.kind == EVENT_FIRST_APPROVAL:
        flash(_("Eerste goedkeuring vastgelegd. Een tweede helpdeskmedewerker moet het verzoek "
                "nog goedkeuren."), "success")
    else:
        flash(DONE_MESSAGES.get(trigger, _("Gelukt.")), "success")
    return redirect(url_for(".show", ticket_id=ticket.id))


def _write(ticket_id: int, name: str, form, action, done: str):
    ticket = get_ticket_or_404(ticket_id)
    if not form.validate():
        return _page(ticket, 422, forms={name: form})
    try:
        action(ticket, form)
    except DomainError as error:
        return _refused(ticket, error, name, form)
    flash(done, "success")
    return redirect(url_for(".show", ticket_id=ticket.id))


@bp.post("/<int:ticket_id>/bericht")
@staff_required("agent")
def message(ticket_id: int):
    return _write(ticket_id, "message", MessageForm(prefix="message"),
                  lambda ticket, form: conversation.send_message(
                      ticket, form.text.data, current_user, form.version.data),
                  _("Je bericht is naar de aanvrager gestuurd."))


@bp.post("/<int:ticket_id>/notitie")
@staff_required("agent")
def note(ticket_id: int):
    return _write(ticket_id, "note", NoteForm(prefix="note"),
                  lambda ticket, form: conversation.add_note(
                      ticket, form.text.data, current_user, form.version.data),
                  _("Je interne notitie is opgeslagen."))


def _assign(ticket, form):
    colleague = db.session.get(Account, form.assignee.data) if form.assignee.data else None
    conversation.assign(ticket, colleague, current_user, form.version.data)


@bp.post("/<int:ticket_id>/toewijzen")
@staff_required("agent")
def assign(ticket_id: int):
    form = AssignForm()
    form.assignee.choices = [SelectChoice(0)] + [SelectChoice(agent.id) for agent in _agents()]
    return _write(ticket_id, "assign", form, _assign, _("De toewijzing is gewijzigd."))


@bp.post("/<int:ticket_id>/opnieuw-doorvoeren")
@staff_required("agent")
def retry_apply(ticket_id: int):
    return _write(ticket_id, "retry", VersionedForm(prefix="retry"),
                  lambda ticket, form: apply.request_retry(ticket, current_user, form.version.data),
                  _("Het doorvoeren wordt opnieuw geprobeerd. Vernieuw de pagina over een minuut."))


def _decided(approve: bool, count: int | None = None) -> str:
    if count is None:
        return _("De regel is goedgekeurd.") if approve else _("De regel is afgewezen.")
    if approve:
        return _("%(count)s regels goedgekeurd.", count=count)
    return _("%(count)s regels afgewezen.", count=count)


@bp.post("/<int:ticket_id>/regel/<int:line_id>/besluit")
@staff_required("agent")
def decide_line(ticket_id: int, line_id: int):
    line = db.session.get(RequestLine, line_id)
    if line is None or line.ticket_id != ticket_id:
        abort(404)
    name = f"line-{line.id}"
    approve = request.form.get("decision") == "approve"
    return _write(ticket_id, name, LineDecisionForm(prefix=name),
                  lambda ticket, form: list_requests.decide_line(
                      line, current_user, approve, form.text.data or ""),
                  _decided(approve))


@bp.post("/<int:ticket_id>/regels/besluit")
@staff_required("agent")
def decide_all_lines(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    form = LineDecisionForm(prefix="lines")
    if not form.validate():
        return _page(ticket, 422, forms={"lines": form})
    approve = request.form.get("decision") == "approve"
    try:
        count = list_requests.decide_all_lines(ticket, current_user, approve, form.text.data or "")
    except DomainError as error:
        return _refused(ticket, error, "lines", form)
    flash(_decided(approve, count), "success")
    return redirect(url_for(".show", ticket_id=ticket.id))
