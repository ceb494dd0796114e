"""The requester's requests: the form behind "verzoek indienen" and "Stel een vraag", and "Mijn verzoeken"."""

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import inspect, select
from wtforms.fields.choices import SelectChoice

from app.access import get_ticket_or_404
from app.blueprints.portal import onboarding_redirect
from app.blueprints.portal_forms import ReplyForm, RequestForm, WithdrawForm, page_version
from app.extensions import db
from app.models import KIND_QUESTION, KIND_ROLE_CHANGE, HistoryEvent, PlatformRole, Ticket
from app.models.tickets import EVENT_MESSAGE, EVENT_ROLE_CHANGED, EVENT_TRANSITION
from app.services.intake import IntakeRefused, check_role_change, submit_request
from app.services.workflow import allowed_triggers, fire_trigger

logger = logging.getLogger(__name__)

bp = Blueprint("requests", __name__)

# The query value that preselects the topic: "verzoek indienen" links with rol, "Stel een vraag" with vraag.
TOPIC_BY_QUERY = {"rol": KIND_ROLE_CHANGE, "vraag": KIND_QUESTION}
SUBJECT_MAX = 120
# History event kinds shown to the requester. A first approval or a failed apply attempt would
# suggest a decision that is not final yet, so those stay on the helpdesk's side.
REQUESTER_EVENT_KINDS = (EVENT_TRANSITION, EVENT_MESSAGE, EVENT_ROLE_CHANGED)


def _role_choices() -> list[tuple]:
    """Return the active platform roles other than the user's own, in the user's language."""
    roles = db.session.scalars(
        select(PlatformRole)
        .where(PlatformRole.active.is_(True), PlatformRole.id != current_user.role_id)
        .order_by(PlatformRole.position, PlatformRole.id)
    ).all()
    language = str(get_locale() or "nl")
    return [SelectChoice("", _("Kies een rol"))] + [SelectChoice(role.id, role.label(language)) for role in roles]


@bp.route("/verzoek", methods=["GET", "POST"])
@login_required
def new():
    """Show and take the request form; refused requests come back with the reason and the input."""
    pending = onboarding_redirect()
    if pending is not None:
        return pending
    form = RequestForm(data={"topic": TOPIC_BY_QUERY.get(request.args.get("onderwerp"))})
    form.wanted_role.choices = _role_choices()
    if form.validate_on_submit():
        try:
            ticket = _submit(form)
        except IntakeRefused as refusal:
            logger.warning("request of account %s rejected at intake: %s", current_user.id, refusal.detail)
            return render_template("portal/request_form.html", form=form, refusal=refusal), 422
        # The id from the identity map: ``ticket.id`` would reload the committed ticket.
        return redirect(url_for("requests.submitted", ticket_id=inspect(ticket).identity[0]))

    return render_template("portal/request_form.html", form=form, refusal=None)


def _submit(form: RequestForm) -> Ticket:
    text = form.motivation.data
    if form.topic.data == KIND_QUESTION:
        subject = text.splitlines()[0][:SUBJECT_MAX]
        return submit_request(current_user, KIND_QUESTION, text={"motivation": text, "subject": subject})
    role = db.session.get(PlatformRole, form.wanted_role.data)
    if role is None or not role.active:
        raise IntakeRefused(_("Deze rol bestaat niet (meer). Kies een rol uit de lijst."),
                            detail=f"platform role {form.wanted_role.data} is missing or inactive")
    check_role_change(current_user, role)
    return submit_request(current_user, KIND_ROLE_CHANGE, wanted_role=role, text={"motivation": text})


@bp.get("/verzoeken/<int:ticket_id>/ontvangen")
@login_required
def submitted(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    return render_template("portal/request_submitted.html", ticket=ticket)


@bp.get("/verzoeken")
@login_required
def index():
    """List the user's own requests, newest first ("Mijn verzoeken")."""
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.requester_id == current_user.id).order_by(Ticket.id.desc())
    ).all()
    return render_template("portal/requests.html", tickets=tickets)


@bp.get("/verzoeken/<int:ticket_id>")
@login_required
def detail(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    return _detail_page(ticket, ReplyForm(version=ticket.version))


def _detail_page(ticket: Ticket, reply_form: ReplyForm, status: int = 200):
    """Render a request with the history its requester may see: internal notes stay out."""
    events = db.session.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.ticket_id == ticket.id, HistoryEvent.internal.is_(False),
               HistoryEvent.kind.in_(REQUESTER_EVENT_KINDS))
        .order_by(HistoryEvent.id)
    ).all()
    triggers = allowed_triggers(ticket, current_user) if ticket.requester_id == current_user.id else []
    return render_template(
        "portal/request_detail.html", ticket=ticket, events=events, reply_form=reply_form,
        withdraw_form=WithdrawForm(version=ticket.version),
        can_reply="requester_replied" in triggers, can_withdraw="withdraw" in triggers,
    ), status


@bp.post("/verzoeken/<int:ticket_id>/antwoord")
@login_required
def reply(ticket_id: int):
    """Send the requester's answer to the helpdesk's question; the clock runs again."""
    ticket = get_ticket_or_404(ticket_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _detail_page(ticket, form, status=422)

    fire_trigger(ticket, "requester_replied", current_user, form.text.data, page_version(form))

    flash(_("Je antwoord is verstuurd naar de helpdesk."), "success")
    return redirect(url_for("requests.detail", ticket_id=ticket.id))


@bp.post("/verzoeken/<int:ticket_id>/intrekken")
@login_required
def withdraw(ticket_id: int):
    ticket = get_ticket_or_404(ticket_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _detail_page(ticket, ReplyForm(version=ticket.version), status=400)

    fire_trigger(ticket, "withdraw", current_user, "", page_version(form))

    flash(_("Je verzoek is ingetrokken."), "success")
    return redirect(url_for("requests.detail", ticket_id=ticket.id))
