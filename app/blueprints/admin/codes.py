"""Admin pages for activation codes: issue, see uses, revoke."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.extensions import db
from app.models import ActivationCode, PlatformRole, School
from app.services.codes import CodeRequest, issue_code, revoke_code

_SHOWN_ONCE_KEY = "issued_activation_code"


class CodeForm(FlaskForm):
    role_id = SelectField(_l("Rol die de code geeft"), coerce=int)
    school_id = SelectField(_l("School"), coerce=int)
    organisation = StringField(_l("Of: naam van de organisatie"), validators=[Length(max=200, message=_l(
        "Een naam is maximaal 200 tekens."))])
    valid_from = DateField(_l("Geldig vanaf"), validators=[
        DataRequired(_l("Vul de eerste dag in waarop de code werkt."))])
    valid_until = DateField(_l("Geldig tot en met"), validators=[
        DataRequired(_l("Vul de laatste dag in waarop de code werkt."))])
    max_uses = IntegerField(_l("Maximaal aantal keer te gebruiken"), validators=[
        DataRequired(_l("Vul in hoe vaak de code gebruikt mag worden.")),
        NumberRange(min=1, max=10000, message=_l("Kies een aantal van 1 tot en met 10.000."))])
    note = TextAreaField(_l("Notitie"), validators=[Optional(), Length(max=2000, message=_l(
        "Een notitie is maximaal 2.000 tekens."))])

    def validate_valid_until(self, field) -> None:
        if self.valid_from.data and field.data and field.data < self.valid_from.data:
            raise ValidationError(_l("De einddatum moet na de begindatum liggen."))

    def validate_organisation(self, field) -> None:
        if not self.school_id.data and not (field.data or "").strip():
            raise ValidationError(_l("Kies een school of vul de naam van de organisatie in."))


def _code_form() -> CodeForm:
    form = CodeForm()
    roles = db.session.scalars(select(PlatformRole).where(PlatformRole.active)
                               .order_by(PlatformRole.position)).all()
    form.role_id.choices = [SelectChoice(role.id, role.label_nl) for role in roles]
    schools = db.session.scalars(select(School).order_by(School.name)).all()
    form.school_id.choices = [SelectChoice(0, _("Geen school (organisatie)"))] + [
        SelectChoice(school.id, school.name) for school in schools]
    return form


def _day_bounds(first, last) -> tuple[datetime, datetime]:
    """Return the start of ``first`` and the end of ``last`` in the calendar's zone, as UTC."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return start, end


@bp.get("/activatiecodes")
@staff_required("admin")
def codes():
    rows = db.session.scalars(select(ActivationCode).order_by(ActivationCode.id.desc())).all()
    return render_template("admin/codes.html", codes=rows)


@bp.route("/activatiecodes/nieuw", methods=["GET", "POST"])
@staff_required("admin")
def code_new():
    form = _code_form()
    if form.validate_on_submit():
        valid_from, valid_until = _day_bounds(form.valid_from.data, form.valid_until.data)
        request = CodeRequest(role_id=form.role_id.data, school_id=form.school_id.data or None,
                              organisation=form.organisation.data or "", valid_from=valid_from,
                              valid_until=valid_until, max_uses=form.max_uses.data,
                              note=form.note.data or "")
        code, plain = issue_code(current_user, request)
        session[_SHOWN_ONCE_KEY] = {"id": code.id, "code": plain}
        return redirect(url_for("admin.code_detail", code_id=code.id))
    return render_template("admin/code_new.html", form=form)


@bp.get("/activatiecodes/<int:code_id>")
@staff_required("admin")
def code_detail(code_id: int):
    code = db.session.get(ActivationCode, code_id) or abort(404)
    issued = session.pop(_SHOWN_ONCE_KEY, None)
    plain = issued["code"] if issued and issued.get("id") == code.id else None
    return render_template("admin/code_detail.html", code=code, plain=plain)


@bp.post("/activatiecodes/<int:code_id>/intrekken")
@staff_required("admin")
def code_revoke(code_id: int):
    code = db.session.get(ActivationCode, code_id) or abort(404)

    revoke_code(code, current_user)

    flash(_("De activatiecode is ingetrokken. Niemand kan hem nog gebruiken."), "success")
    return redirect(url_for("admin.code_detail", code_id=code.id))
