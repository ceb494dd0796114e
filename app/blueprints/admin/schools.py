"""Admin pages for schools: add a school, and set the mail domains each school uses."""

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.extensions import db
from app.models import School

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def split_domains(text: str) -> list[str]:
    """Split typed domains on spaces, commas, semicolons and new lines; drop a leading "@"."""
    return [part.lower().lstrip("@") for part in re.split(r"[\s,;]+", text or "") if part.strip()]


def _check_domains(form, field) -> None:
    invalid = [domain for domain in split_domains(field.data) if not DOMAIN_PATTERN.match(domain)]
    if invalid:
        raise ValidationError(_l("Geen geldig domein: %(domains)s. Vul domeinen in zoals "
                                 "roc-voorbeeld.nl, gescheiden door spaties.",
                                 domains=", ".join(invalid)))
    if len(" ".join(split_domains(field.data))) > 500:
        raise ValidationError(_l("Er passen maximaal 500 tekens aan domeinen in."))


class SchoolForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul de naam van de school in.")),
                                               Length(max=200, message=_l("Een naam is maximaal 200 tekens."))])
    brin = StringField(_l("BRIN-code"), validators=[Optional(), Length(max=8, message=_l(
        "Een BRIN-code is maximaal 8 tekens, bijvoorbeeld 25LX."))])
    mail_domains = TextAreaField(_l("E-maildomeinen"), validators=[_check_domains])


def _name_taken(name: str, school_id: int | None) -> bool:
    existing = db.session.scalars(select(School).where(School.name == name)).first()
    return existing is not None and existing.id != school_id


def _save(form: SchoolForm, school: School) -> bool:
    if _name_taken(form.name.data.strip(), school.id):
        form.name.errors.append(_("Er is al een school met deze naam."))
        return False
    school.name = form.name.data.strip()
    school.brin = (form.brin.data or "").strip().upper() or None
    school.mail_domains = " ".join(split_domains(form.mail_domains.data))
    db.session.add(school)
    db.session.commit()
    flash(_("%(name)s is opgeslagen.", name=school.name), "success")
    return True


@bp.get("/scholen")
@staff_required("admin")
def schools():
    rows = db.session.scalars(select(School).order_by(School.name)).all()
    return render_template("admin/schools.html", schools=rows)


@bp.route("/scholen/nieuw", methods=["GET", "POST"])
@staff_required("admin")
def school_new():
    form = SchoolForm()
    if form.validate_on_submit() and _save(form, School()):
        return redirect(url_for("admin.schools"))
    return render_template("admin/school_form.html", form=form, school=None)


@bp.route("/scholen/<int:school_id>", methods=["GET", "POST"])
@staff_required("admin")
def school_edit(school_id: int):
    school = db.session.get(School, school_id) or abort(404)
    form = SchoolForm(obj=school)
    if form.validate_on_submit() and _save(form, school):
        return redirect(url_for("admin.schools"))
    return render_template("admin/school_form.html", form=form, school=school)
