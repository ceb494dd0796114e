"""Forms of the helpdesk desk: actions on a ticket, writing on it, and bulk actions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from sqlalchemy import select

from app.extensions import db
from app.models import RejectionReason
from app.services.conversation import MAX_TEXT_LENGTH

BULK_ACTIONS = ("start_review", "approve", "reject")


class VersionedForm(FlaskForm):
    """A form carrying the ticket version its page showed, for the optimistic lock."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ActionForm(VersionedForm):
    """One workflow action; ``text`` is the question, reason or answer where it needs one."""

    text = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=MAX_TEXT_LENGTH)])
    reason = SelectField(_l("Standaardreden"), coerce=int, default=0, validators=[Optional()])


class MessageForm(VersionedForm):
    text = TextAreaField(_l("Bericht aan de aanvrager"), validators=[
        DataRequired(_l("Schrijf eerst een bericht.")), Length(max=MAX_TEXT_LENGTH)])


class NoteForm(VersionedForm):
    text = TextAreaField(_l("Interne notitie"), validators=[
        DataRequired(_l("Schrijf eerst een notitie.")), Length(max=MAX_TEXT_LENGTH)])


class AssignForm(VersionedForm):
    assignee = SelectField(_l("Toewijzen aan"), coerce=int, validators=[InputRequired()])


class BulkForm(FlaskForm):
    action = SelectField(_l("Actie"), choices=[
        SelectChoice("start_review", _l("In behandeling nemen")),
        SelectChoice("approve", _l("Goedkeuren")),
        SelectChoice("reject", _l("Afwijzen")),
    ], validators=[DataRequired(_l("Kies een actie."))])
    reason = SelectField(_l("Standaardreden"), coerce=int, default=0, validators=[Optional()])
    text = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=MAX_TEXT_LENGTH)])


def reason_choices() -> list[SelectChoice]:
    """Return the active standard reasons for a select, after a "none" choice."""
    reasons = db.session.scalars(
        select(RejectionReason).where(RejectionReason.active.is_(True))
        .order_by(RejectionReason.position, RejectionReason.id)
    )
    return [SelectChoice(0, _l("Geen standaardreden"))] + [
        SelectChoice(reason.id, reason.label or reason.text_nl[:80]) for reason in reasons
    ]


def rejection_text(reason_id: int | None, free_text: str, language: str) -> str:
    """Join the chosen standard reason, in the requester's language, and the agent's own words."""
    parts = []
    reason = db.session.get(RejectionReason, reason_id) if reason_id else None
    if reason is not None:
        parts.append(reason.text(language))
    if free_text and free_text.strip():
        parts.append(free_text.strip())
    return "\n\n".join(parts)
