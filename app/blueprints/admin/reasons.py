"""Admin pages for the standard rejection reasons: list, add and edit."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.extensions import db
from app.models import RejectionReason


class ReasonForm(FlaskForm):
    label = StringField(_l("Korte naam (voor helpdeskmedewerkers)"), validators=[
        DataRequired(_l("Vul een korte naam in, bijvoorbeeld ‘Geen bevestiging school’.")),
        Length(max=80, message=_l("Gebruik hoogstens 80 tekens."))])
    text_nl = TextAreaField(_l("Tekst voor de aanvrager"), validators=[
        DataRequired(_l("Vul de tekst in die de aanvrager leest.")),
        Length(max=2000, message=_l("Gebruik hoogstens 2000 tekens."))])
    text_en = TextAreaField(_l("Tekst in het Engels (optioneel)"), validators=[
        Optional(), Length(max=2000, message=_l("Gebruik hoogstens 2000 tekens."))])
    position = IntegerField(_l("Volgorde"), default=0, validators=[
        Optional(), NumberRange(min=0, max=999, message=_l("Vul een getal van 0 tot 999 in."))])
    active = BooleanField(_l("Te kiezen bij afwijzen"), default=True)


def _save(form: ReasonForm, reason: RejectionReason) -> None:
    reason.label = form.label.data.strip()
    reason.text_nl = form.text_nl.data.strip()
    reason.text_en = (form.text_en.data or "").strip()
    reason.position = form.position.data or 0
    reason.active = form.active.data
    db.session.add(reason)
    db.session.commit()


@bp.get("/redenen")
@staff_required("admin")
def reasons():
    rows = db.session.scalars(
        select(RejectionReason).order_by(RejectionReason.position, RejectionReason.id)).all()
    return render_template("admin/reasons.html", reasons=rows)


@bp.route("/redenen/nieuw", methods=["GET", "POST"])
@staff_required("admin")
def reason_new():
    form = ReasonForm()
    if form.validate_on_submit():
        reason = RejectionReason()
        _save(form, reason)
        flash(_("De reden ‘%(label)s’ is toegevoegd.", label=reason.label), "success")
        return redirect(url_for("admin.reasons"))
    return render_template("admin/reason_form.html", form=form, reason=None)


@bp.route("/redenen/<int:reason_id>", methods=["GET", "POST"])
@staff_required("admin")
def reason_edit(reason_id: int):
    reason = db.session.get(RejectionReason, reason_id) or abort(404)
    form = ReasonForm(obj=reason)
    if form.validate_on_submit():
        _save(form, reason)
        flash(_("De reden ‘%(label)s’ is opgeslagen.", label=reason.label), "success")
        return redirect(url_for("admin.reasons"))
    return render_template("admin/reason_form.html", form=form, reason=reason)
