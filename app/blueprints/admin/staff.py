"""Admin pages for staff accounts and their memberships."""

import secrets

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import staff_required
from app.blueprints.admin.base import bp
from app.blueprints.admin.forms import STAFF_KIND_LABELS, StaffForm
from app.extensions import db
from app.models import Account, StaffMembership
from app.services.accounts import create_staff, find_account, is_valid_email


@bp.get("/medewerkers")
@staff_required("admin")
def staff():
    accounts = db.session.scalars(
        select(Account).where(Account.memberships.any()).order_by(Account.last_name, Account.first_name)
    ).all()
    return render_template("admin/staff.html", accounts=accounts, form=StaffForm(),
                           staff_kind_labels=STAFF_KIND_LABELS)


@bp.post("/medewerkers")
@staff_required("admin")
def staff_add():
    form = StaffForm()
    if form.validate_on_submit():
        if is_valid_email(form.email.data):
            _save_staff(form)
            return redirect(url_for("admin.staff"))
        form.email.errors.append(_("Dit e-mailadres is ongeldig. Controleer het adres."))
    accounts = db.session.scalars(select(Account).where(Account.memberships.any())).all()
    return render_template("admin/staff.html", accounts=accounts, form=form,
                           staff_kind_labels=STAFF_KIND_LABELS), 422


def _save_staff(form: StaffForm) -> None:
    existing = find_account(form.email.data)
    password = None if existing else secrets.token_urlsafe(12)
    account = create_staff(form.email.data, password or "", list(form.kinds.data),
                           name=(form.first_name.data or "", form.last_name.data or ""))
    if password:
        flash(_("Account %(email)s is aangemaakt met het wachtwoord %(password)s. Geef dit "
                "veilig door; het wordt niet nog eens getoond.",
                email=account.email, password=password), "success")
    else:
        flash(_("De taken van %(email)s zijn bijgewerkt.", email=account.email), "success")


@bp.post("/medewerkers/<int:account_id>/taak/<kind>/verwijderen")
@staff_required("admin")
def staff_remove(account_id: int, kind: str):
    if account_id == current_user.id and kind == "admin":
        flash(_("Je kunt je eigen beheerdersrechten niet intrekken. Vraag een andere beheerder."), "error")
        return redirect(url_for("admin.staff"))
    membership = db.session.scalars(
        select(StaffMembership).where(StaffMembership.account_id == account_id, StaffMembership.kind == kind)
    ).first()
    if membership is not None:
        db.session.delete(membership)
        db.session.commit()
        flash(_("De taak is ingetrokken."), "success")
    return redirect(url_for("admin.staff"))
