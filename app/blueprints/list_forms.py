"""Forms of the list-request pages: the upload or paste, and the column mapping."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.extensions import db
from app.models import KIND_ACCOUNT_CREATION, KIND_ROLE_CHANGE, PlatformRole
from app.services import list_parsing

NOT_PRESENT = -1
FIELDS_BY_KIND = {
    KIND_ROLE_CHANGE: ("email", "role"),
    KIND_ACCOUNT_CREATION: ("first_name", "tussenvoegsel", "last_name", "email", "school", "role"),
}


def role_choices() -> list[tuple[int, str]]:
    roles = db.session.scalars(select(PlatformRole).where(PlatformRole.active)
                               .order_by(PlatformRole.position)).all()
    return [SelectChoice(role.id, role.label_nl) for role in roles]


class ListForm(FlaskForm):
    kind = RadioField(_l("Wat wil je aanvragen?"), default=KIND_ROLE_CHANGE, choices=[
        SelectChoice(KIND_ROLE_CHANGE, _l("De rol omzetten van bestaande accounts")),
        SelectChoice(KIND_ACCOUNT_CREATION, _l("Accounts laten aanmaken (voornaam, achternaam, werk-e-mailadres, school)")),
    ], validators=[DataRequired(_l("Kies wat je wilt aanvragen."))])
    wanted_role_id = SelectField(_l("Gewenste rol"), coerce=int, validators=[
        DataRequired(_l("Kies de gewenste rol."))])
    upload = FileField(_l("Bestand (CSV of Excel)"))
    pasted = TextAreaField(_l("Of plak de regels"), validators=[Optional(), Length(max=400_000, message=_l(
        "De geplakte lijst is te lang. Upload de lijst liever als bestand."))])
    motivation = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=4000, message=_l(
        "De toelichting mag maximaal 4.000 tekens lang zijn."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors about the list itself, shown beside the upload and paste fields.
        self.list_errors: list[str] = []

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.upload.data and not (self.pasted.data or "").strip():
            self.upload.errors.append(_("Kies een bestand of plak de regels van de lijst."))
            return False
        return valid

    def wanted_role(self) -> PlatformRole:
        return db.session.get(PlatformRole, self.wanted_role_id.data)

    def read_table(self) -> list_parsing.ReadTable:
        upload = self.upload.data
        if upload:
            return list_parsing.read_upload(upload.filename, upload.read())
        return list_parsing.read_text(self.pasted.data)


class MappingForm(FlaskForm):
    skip_first = BooleanField(_l("De eerste regel bevat kopjes en hoort niet bij de lijst"))

    @classmethod
    def for_table(cls, table: list_parsing.ReadTable, kind: str) -> "MappingForm":
        """Build the form with a column choice per field the request kind uses."""
        guesses = list_parsing.guess_columns(table)
        choices = [SelectChoice(NOT_PRESENT, _("(niet in de lijst)"))] + [
            SelectChoice(index, _("Kolom %(number)s: %(example)s", number=index + 1,
                      example=_example(table, index))) for index in range(table.width)]
        # WTForms binds fields per class, so each table gets a subclass with its own fields.
        bound = type("TableMappingForm", (cls,), {})
        for name in FIELDS_BY_KIND[kind]:
            setattr(bound, f"column_{name}", SelectField(
                list_parsing.FIELD_LABELS[name], coerce=int, choices=choices,
                default=guesses.get(name, NOT_PRESENT)))
        return bound()

    def columns(self) -> dict[str, int]:
        columns = {}
        for name in list_parsing.FIELDS:
            field = getattr(self, f"column_{name}", None)
            if field is not None and field.data is not None and field.data != NOT_PRESENT:
                columns[name] = field.data
        return columns

    def column_fields(self):
        return [getattr(self, f"column_{name}") for name in list_parsing.FIELDS
                if hasattr(self, f"column_{name}")]


def _example(table: list_parsing.ReadTable, index: int) -> str:
    for row in table.rows[:5]:
        if index < len(row) and row[index]:
            return row[index][:40]
    return ""
