"""Admin pages for platform roles: list, add and edit."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.blueprints.admin.forms import RoleForm
from app.extensions import db
from app.models import PlatformRole


@bp.get("/rollen")
@staff_required("admin")
def roles():
    rows = db.session.scalars(select(PlatformRole).order_by(PlatformRole.position, PlatformRole.id)).all()
    return render_template("admin/roles.html", roles=rows, form=RoleForm())


@bp.route("/rollen/nieuw", methods=["GET", "POST"])
@staff_required("admin")
def role_new():
    form = RoleForm()
    if form.validate_on_submit():
        existing_role = db.session.scalars(select(PlatformRole).where(PlatformRole.code == form.code.data)).first()
        if existing_role is not None:
            form.code.errors.append(_("Deze code bestaat al. Kies een andere code."))
        else:
            role = PlatformRole(position=100)
            form.populate_obj(role)
            db.session.add(role)
            db.session.commit()
            flash(_("De rol %(label)s is toegevoegd.", label=role.label_nl), "success")
            return redirect(url_for("admin.roles"))
    return render_template("admin/role_form.html", form=form, role=None)


@bp.route("/rollen/<int:role_id>", methods=["GET", "POST"])
@staff_required("admin")
def role_edit(role_id: int):
    role = db.session.get(PlatformRole, role_id) or abort(404)
    form = RoleForm(obj=role)
    form.code.data = role.code  # the code identifies the role in exports and cannot change
    if form.validate_on_submit():
        role.label_nl = form.label_nl.data
        role.label_en = form.label_en.data
        role.four_eyes = form.four_eyes.data
        role.active = form.active.data
        db.session.commit()
        flash(_("De rol %(label)s is opgeslagen.", label=role.label_nl), "success")
        return redirect(url_for("admin.roles"))
    return render_template("admin/role_form.html", form=form, role=role)
