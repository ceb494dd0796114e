"""Forms of the requester's portal: school, profile, requests and replies."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.blueprints.auth_forms import NAME_MAX, TUSSENVOEGSEL_MAX
from app.models import KIND_QUESTION, KIND_ROLE_CHANGE

STUDENT_NUMBER_MAX = 40
TEXT_MAX = 2000
LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _too_long(maximum: int):
    return Length(max=maximum, message=_l("Gebruik hoogstens %(max)d tekens.", max=maximum))


def _optional_id(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class SchoolForm(FlaskForm):
    school = SelectField(_l("School of organisatie"), coerce=_optional_id,
                         validators=[InputRequired(_l("Kies je school of organisatie."))])

    def validate_school(self, field):
        if field.data is None:
            raise ValidationError(_l("Kies je school of organisatie."))


class ProfileForm(SchoolForm):
    first_name = StringField(_l("Voornaam"), filters=[_strip], validators=[
        DataRequired(_l("Vul je voornaam in.")), _too_long(NAME_MAX)])
    tussenvoegsel = StringField(_l("Tussenvoegsel"), filters=[_strip], validators=[
        Optional(), _too_long(TUSSENVOEGSEL_MAX)])
    last_name = StringField(_l("Achternaam"), filters=[_strip], validators=[
        DataRequired(_l("Vul je achternaam in.")), _too_long(NAME_MAX)])
    student_number = StringField(
        _l("Studentnummer"), filters=[_strip],
        description=_l("Het studentnummer is van belang wanneer je Digitaal Examineren gebruikt. "
                       "Je kunt het ook later onder \u2018Profiel\u2019 invullen."),
        validators=[Optional(), _too_long(STUDENT_NUMBER_MAX)])
    language = SelectField(_l("Taal"), choices=LANGUAGE_CHOICES,
                           validators=[InputRequired(_l("Kies een taal."))])


TOPIC_CHOICES = [
    SelectChoice(KIND_ROLE_CHANGE, _l("Mijn gebruikersrol laten omzetten")),
    SelectChoice(KIND_QUESTION, _l("Een vraag stellen")),
]


class RequestForm(FlaskForm):
    topic = RadioField(_l("Onderwerp"), choices=TOPIC_CHOICES,
                       validators=[InputRequired(_l("Kies een onderwerp."))])
    wanted_role = SelectField(_l("Gewenste rol"), coerce=_optional_id, validate_choice=False,
                              description=_l("Alleen nodig als je je rol wilt laten omzetten."))
    motivation = TextAreaField(
        _l("Toelichting"), filters=[_strip],
        description=_l("Bij een rol: waarom heb je deze rol nodig, bijvoorbeeld welke studenten "
                       "je begeleidt. Bij een vraag: je vraag."),
        validators=[DataRequired(_l("Vul een toelichting in.")), _too_long(TEXT_MAX)])

    def validate_wanted_role(self, field):
        if self.topic.data == KIND_ROLE_CHANGE and field.data is None:
            raise ValidationError(_l("Kies de rol die je nodig hebt."))


class ReplyForm(FlaskForm):
    text = TextAreaField(_l("Je antwoord"), filters=[_strip], validators=[
        DataRequired(_l("Schrijf eerst je antwoord.")), _too_long(TEXT_MAX)])
    version = HiddenField()


class WithdrawForm(FlaskForm):
    version = HiddenField()


def page_version(form) -> int | None:
    """Return the ticket version the page showed, or None when the field is missing or malformed."""
    value = form.version.data
    return int(value) if value and str(value).isdigit() else None


