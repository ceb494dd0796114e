"""Forms of the admin pages for roles and staff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import STAFF_KINDS

STAFF_KIND_LABELS = {
    "agent": _l("Helpdeskmedewerker"),
    "manager": _l("Teamleider"),
    "admin": _l("Beheerder"),
}


class RoleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(_l("Vul een code in.")),
        Length(max=40, message=_l("Een code is hoogstens 40 tekens.")),
        Regexp(r"^[a-z][a-z0-9_]*$", message=_l(
            "Gebruik kleine letters, cijfers en liggende streepjes, bijvoorbeeld praktijkopleider.")),
    ])
    label_nl = StringField(_l("Naam in het Nederlands"), validators=[
        DataRequired(_l("Vul de Nederlandse naam in.")), Length(max=80)])
    label_en = StringField(_l("Naam in het Engels"), validators=[
        DataRequired(_l("Vul de Engelse naam in.")), Length(max=80)])
    four_eyes = BooleanField(_l("Goedkeuring door twee helpdeskmedewerkers (vier ogen)"))
    active = BooleanField(_l("Aan te vragen"), default=True)


class StaffForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[
        DataRequired(_l("Vul een e-mailadres in.")), Length(max=320)])
    first_name = StringField(_l("Voornaam"), validators=[Length(max=100)])
    last_name = StringField(_l("Achternaam"), validators=[Length(max=100)])
    kinds = SelectMultipleField(
        _l("Taken"),
        choices=[SelectChoice(kind, STAFF_KIND_LABELS[kind]) for kind in STAFF_KINDS],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Kies ten minste één taak."))],
    )
