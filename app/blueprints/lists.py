"""Requests for a list of accounts: role changes and account creation.

The steps: upload or paste the list, map the columns when the file has no
headings, review each line's verdict (fix or drop lines), and submit.
"""

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.blueprints.list_forms import ListForm, MappingForm, role_choices
from app.models import KIND_ACCOUNT_CREATION
from app.services import list_parsing, list_requests
from app.services.errors import InvalidInput

logger = logging.getLogger(__name__)

bp = Blueprint("lists", __name__, url_prefix="/verzoek/lijst")


def _draft_or_redirect():
    draft = list_requests.get_draft(current_user)
    if draft is None:
        flash(_("Er is geen lijst in voorbereiding. Begin met een nieuwe lijst."), "info")
    return draft


@bp.route("/", methods=["GET", "POST"])
@login_required
def new():
    form = ListForm()
    form.wanted_role_id.choices = role_choices()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("lists/new.html", form=form, draft=list_requests.get_draft(current_user)), status

    try:
        table = form.read_table()
    except list_parsing.ListUnreadable as error:
        logger.warning("account %s: list rejected: %s", current_user.id, error.detail)
        form.list_errors.append(str(error.message))
        return render_template("lists/new.html", form=form, draft=None), 422

    draft = list_requests.start_draft(current_user, form.kind.data, form.wanted_role(),
                                      form.motivation.data or "", table)
    if draft.raw_rows is not None:
        return redirect(url_for("lists.mapping"))
    return redirect(url_for("lists.review"))


@bp.route("/kolommen", methods=["GET", "POST"])
@login_required
def mapping():
    draft = _draft_or_redirect()
    if draft is None or draft.raw_rows is None:
        return redirect(url_for("lists.review" if draft else "lists.new"))
    table = list_requests.draft_table(draft)
    form = MappingForm.for_table(table, draft.kind)
    if form.validate_on_submit():
        try:
            list_requests.map_columns(draft, form.columns(), form.skip_first.data)
        except InvalidInput as error:
            form.form_errors.append(str(error.message))
        else:
            return redirect(url_for("lists.review"))
    missing = list_requests.missing_columns(draft, form.columns())
    return render_template("lists/mapping.html", form=form, rows=table.rows[:5], draft=draft,
                           missing=list_parsing.missing_column_messages(missing))


@bp.get("/controleren")
@login_required
def review():
    draft = _draft_or_redirect()
    if draft is None:
        return redirect(url_for("lists.new"))
    if draft.raw_rows is not None:
        return redirect(url_for("lists.mapping"))
    verdicts = list_requests.review(draft, current_user)
    not_ready = sum(1 for verdict in verdicts if not verdict.ready)
    return render_template("lists/review.html", draft=draft, rows=list(zip(draft.lines, verdicts)),
                           not_ready=not_ready, creation=draft.kind == KIND_ACCOUNT_CREATION,
                           edit=request.args.get("regel", type=int),
                           field_labels=list_parsing.FIELD_LABELS)


@bp.post("/regel/<int:index>")
@login_required
def change_line(index: int):
    draft = list_requests.get_draft(current_user) or abort(404)

    if request.form.get("action") == "drop":
        list_requests.drop_lines(draft, {index})
        flash(_("Regel %(number)s is verwijderd.", number=index + 1), "success")
    else:
        list_requests.update_line(draft, index, request.form.to_dict())
        flash(_("Regel %(number)s is aangepast.", number=index + 1), "success")

    return redirect(url_for("lists.review") + f"#regel-{max(index, 0) + 1}")


@bp.post("/opschonen")
@login_required
def drop_not_ready():
    draft = list_requests.get_draft(current_user) or abort(404)

    dropped = list_requests.drop_not_ready(draft, current_user)

    flash(ngettext("%(num)s regel die niet in orde was is verwijderd.",
                   "%(num)s regels die niet in orde waren zijn verwijderd.", dropped), "success")
    return redirect(url_for("lists.review"))


@bp.post("/indienen")
@login_required
def submit():
    draft = list_requests.get_draft(current_user) or abort(404)
    if draft.raw_rows is not None:
        return redirect(url_for("lists.mapping"))

    try:
        ticket = list_requests.submit_draft(draft, current_user)
    except InvalidInput as error:
        flash(str(error.message), "error")
        return redirect(url_for("lists.review"))

    flash(_("Je verzoek %(reference)s is ingediend. De helpdesk handelt het doorgaans binnen een "
            "werkdag af.", reference=ticket.reference), "success")
    return redirect(url_for("requests.detail", ticket_id=ticket.id))


@bp.post("/weggooien")
@login_required
def discard():
    draft = list_requests.get_draft(current_user)

    if draft is not None:
        list_requests.discard_draft(draft)

    flash(_("De lijst is weggegooid."), "info")
    return redirect(url_for("lists.new"))
