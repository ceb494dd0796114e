"""The admin blueprint and its start page, which lists the areas that exist."""

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

from app.access import staff_required

bp = Blueprint("admin", __name__, url_prefix="/beheer")

# Areas on the admin start page, shown when their module registered the endpoint.
AREAS = [
    ("admin.roles", _l("Gebruikersrollen"), _l("Rollen toevoegen, hernoemen en het vier-ogenprincipe instellen.")),
    ("admin.staff", _l("Medewerkers"), _l("Helpdeskmedewerkers, teamleiders en beheerders.")),
    ("admin.calendar", _l("Werkdagen"), _l("Openingstijden, feestdagen, sluitingsdagen en de afhandeltermijn.")),
    ("admin.reasons", _l("Standaardredenen"), _l("Redenen om een verzoek af te wijzen.")),
    ("admin.schools", _l("Scholen"), _l("Scholen en organisaties met hun BRIN-code en e-maildomeinen.")),
    ("admin.codes", _l("Activatiecodes"), _l("Codes uitgeven, gebruik bekijken en intrekken.")),
]


@bp.get("/")
@staff_required("admin")
def index():
    areas = [area for area in AREAS if area[0] in current_app.view_functions]
    return render_template("admin/index.html", areas=areas)
